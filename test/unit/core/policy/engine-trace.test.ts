import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, type PolicyConfig, parsePolicyConfig } from '../../../../functions/core/policy';
import { T0 } from './policy-harness';
import { play, seededStream } from './seeded-stream';

/**
 * The policy's behaviour, pinned: every update (record and notifications) the engine makes while the
 * triage and sweep handlers would play three seeded streams of 20 000 events in all, against a trace
 * recorded once (fixtures/engine-trace-20k.json). A change to the engine that changes no behaviour leaves
 * it passing; any difference fails at the first update that differs.
 *
 * Changing the behaviour on purpose (a new rule, a different default):
 * 1. make the change, with spec tests in engine.test.ts that state the new behaviour;
 * 2. run `UPDATE_ENGINE_TRACE=1 npx jest test/unit/core/policy/engine-trace.test.ts` to re-record the trace
 *    from the engine as it now is;
 * 3. read the diff of fixtures/engine-trace-20k.json (`intents` and `states` are readable: check that only
 *    what you meant to change changed), and commit it with the change, saying why in the message.
 * Never re-record to make an unexplained difference go away.
 */

const TIGHT = parsePolicyConfig({
  incidents: {
    immediateStatuses: [500, 520],
    persistence: { minErrors: 3, windowSeconds: 120, minSpanSeconds: 10 },
    resolveAfterQuietSeconds: 300,
    reminderIntervalSeconds: 600,
  },
  silences: [
    { id: 'apps', startsAt: T0 + 30 * 60_000, endsAt: T0 + 150 * 60_000, apps: ['app-0', 'app-1'] },
    { id: 'm', startsAt: T0 + 200 * 60_000, endsAt: T0 + 260 * 60_000, models: ['m/qwen'] },
  ],
  clockSkewSeconds: 60,
});

const ACCOUNTS_FAST = parsePolicyConfig({
  incidents: { persistence: { minErrors: 8, windowSeconds: 300, minSpanSeconds: 0 } },
  accountIssues: {
    statuses: [401, 402, 403, 412, 429],
    groupWaitSeconds: 0,
    updateIntervalSeconds: 60,
    reminderIntervalSeconds: 600,
    resolveAfterQuietSeconds: 1200,
  },
  silences: [{ id: 'acme', startsAt: T0, endsAt: T0 + 90 * 60_000, accounts: ['acme'] }],
  dedupe: { horizonSeconds: 600, maxBatchIds: 4 },
  outboxRetrySeconds: 30,
});

const SCENARIOS: readonly { name: string; seed: number; events: number; config: PolicyConfig }[] = [
  { name: 'defaults', seed: 1, events: 12_000, config: DEFAULT_POLICY },
  { name: 'tight persistence, silences', seed: 2, events: 4000, config: TIGHT },
  { name: 'fast account groups, small dedupe', seed: 3, events: 4000, config: ACCOUNTS_FAST },
];

const TRACE_FILE = join(__dirname, 'fixtures', 'engine-trace-20k.json');

interface RecordedTrace {
  readonly name: string;
  /** A digest of each step's updates, in order. */
  readonly steps: string[];
  /** One readable line per notification (the step digests cover every field). */
  readonly intents: string[];
  readonly states: Record<string, unknown>;
}

function record(): RecordedTrace[] {
  return SCENARIOS.map(({ name, seed, events, config }) => {
    const trace = play(seededStream({ seed, events, startAt: T0 }), config);
    return {
      name,
      steps: trace.steps.map((updates) => createHash('sha1').update(updates).digest('base64').slice(0, 12)),
      intents: trace.intents.map(
        (i) =>
          `${i.notificationId} ${i.kind} ${i.count} (+${i.newSinceLast}) ${i.firstSeen}..${i.lastSeen} ` +
          `${i.apps.join(',')} ${i.sampleRequestIds.join(',')}`,
      ),
      states: JSON.parse(JSON.stringify(trace.states)),
    };
  });
}

describe('policy engine: the recorded trace', () => {
  it('reproduces the trace recorded on a seeded 20 000-event stream', () => {
    if (process.env.UPDATE_ENGINE_TRACE === '1') {
      writeFileSync(TRACE_FILE, `${JSON.stringify(record())}\n`);
    }
    expect(existsSync(TRACE_FILE)).toBe(true);
    const expected = JSON.parse(readFileSync(TRACE_FILE, 'utf8')) as RecordedTrace[];
    const actual = record();
    expect(actual.map((t) => t.name)).toEqual(expected.map((t) => t.name));
    for (let s = 0; s < expected.length; s++) {
      const want = expected[s] as RecordedTrace;
      const got = actual[s] as RecordedTrace;
      // The first update that differs, for a readable failure; then everything.
      const at = want.steps.findIndex((digest, i) => got.steps[i] !== digest);
      expect({ scenario: want.name, firstDifferentStep: at, steps: got.steps.length }).toEqual({
        scenario: want.name,
        firstDifferentStep: -1,
        steps: want.steps.length,
      });
      expect(got.intents).toEqual(want.intents);
      expect(got.states).toEqual(want.states);
    }
    // The stream does what it is for: opens, reminders, updates, resolves and silenced notices happen.
    const kinds = new Set(expected.flatMap((t) => t.intents.map((line) => line.split(' ')[1])));
    expect([...kinds].sort()).toEqual([
      'account-issue.opened',
      'account-issue.reminder',
      'account-issue.resolved',
      'account-issue.updated',
      'incident.opened',
      'incident.reminder',
      'incident.resolved',
    ]);
  });
});
