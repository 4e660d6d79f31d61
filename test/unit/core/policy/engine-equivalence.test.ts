import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { TriageEvent } from '../../../../functions/core/event';
import * as engine from '../../../../functions/core/policy';
import { DEFAULT_POLICY, type PolicyConfig, parsePolicyConfig } from '../../../../functions/core/policy';
import { eventTime } from '../../../../functions/core/policy/event-time';
import type { EventBatch } from '../../../../functions/core/policy/types';
import { T0 } from './policy-harness';
import * as reference from './reference-engine/engine';
import { canonicalJson, type Engine, play, type Step, seededStream } from './seeded-stream';

/**
 * The engine's records and notifications are exactly those of the per-event reference path
 * (reference-engine/, the engine before the columnar fast path): step by step on seeded streams, and
 * against a trace of a 20 000-event stream recorded from the reference engine before any change.
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

const real: Engine = engine;
const ref: Engine = reference;

const TRACE_FILE = join(__dirname, 'fixtures', 'engine-trace-20k.json');

interface RecordedTrace {
  readonly name: string;
  /** A digest of each step's updates, in order. */
  readonly steps: string[];
  /** One readable line per notification (the step digests cover every field). */
  readonly intents: string[];
  readonly states: Record<string, unknown>;
}

function record(engineToPlay: Engine): RecordedTrace[] {
  return SCENARIOS.map(({ name, seed, events, config }) => {
    const trace = play(engineToPlay, seededStream({ seed, events, startAt: T0 }), config);
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

describe('policy engine: equivalence with the per-event reference', () => {
  it('reproduces the trace recorded from the reference engine on a seeded 20 000-event stream', () => {
    // Written from the reference path (UPDATE_ENGINE_TRACE=1): first before the fast path existed, again
    // (the same reference engine, which reproduced the first file exactly) when steps became canonical JSON.
    if (process.env.UPDATE_ENGINE_TRACE === '1') {
      writeFileSync(TRACE_FILE, `${JSON.stringify(record(ref))}\n`);
    }
    expect(existsSync(TRACE_FILE)).toBe(true);
    const expected = JSON.parse(readFileSync(TRACE_FILE, 'utf8')) as RecordedTrace[];
    const actual = record(real);
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

  it('gives every record and notification of the reference, update by update, on seeded streams', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 50, max: 3000 }),
        fc.constantFrom(DEFAULT_POLICY, TIGHT, ACCOUNTS_FAST),
        fc.boolean(),
        (seed, events, config, wide) => {
          const steps = seededStream({ seed, events, startAt: T0, wide });
          const want = play(ref, steps, config);
          const got = play(real, steps, config);
          expect(got.steps.length).toBe(want.steps.length);
          for (let i = 0; i < want.steps.length; i++) expect(got.steps[i]).toBe(want.steps[i]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the same records and notifications when batches carry their event times and values, as parsed messages do', () => {
    // As parseQueueMessage gives them (some of these events are not valid canonical events, so they are not
    // parsed here: the parser's values are tested in queue-message.test.ts). Values may hold more than the
    // events carry: every third batch names a model, an account and an app that none of its events has.
    const distinct = (values: (string | undefined)[], extra: boolean) => [
      ...new Set([...values.filter((v) => v !== undefined).reverse(), ...(extra ? ['other'] : [])]),
    ];
    let n = 0;
    const parsed = (steps: readonly Step[]): Step[] =>
      steps.map((step) =>
        step.type === 'invoke'
          ? {
              ...step,
              batches: step.batches.map((batch) => {
                const extra = n++ % 3 === 0;
                return {
                  ...batch,
                  times: batch.events.map((event) => eventTime(event.occurredAt, batch.receivedAt)),
                  values: {
                    models: distinct(
                      batch.events.map((e) => e.model),
                      extra,
                    ),
                    accounts: distinct(
                      batch.events.map((e) => e.account),
                      extra,
                    ),
                    apps: distinct(
                      batch.events.map((e) => e.app),
                      extra,
                    ),
                  },
                };
              }),
            }
          : step,
      );
    for (const { seed, config } of SCENARIOS) {
      const steps = seededStream({ seed, events: 3000, startAt: T0, wide: seed % 2 === 0 });
      const given = parsed(steps);
      const batches = given.flatMap((s) => (s.type === 'invoke' ? s.batches : []));
      expect(batches.every((b) => b.times?.length === b.events.length && b.values !== undefined)).toBe(true);
      const want = play(ref, steps, config);
      expect(play(real, given, config).steps).toEqual(want.steps);
      const owned = play(real, given, config, { owned: true });
      expect(owned.steps).toEqual(want.steps);
      expect(canonicalJson(owned.states)).toBe(canonicalJson(want.states));
    }
  });
});

describe('policy engine: states handed over (ApplyOptions.owned)', () => {
  it('gives the reference records and notifications when each state is given up to the engine, as triage does', () => {
    for (const { seed, config } of SCENARIOS) {
      const steps = seededStream({ seed, events: 4000, startAt: T0, wide: seed % 2 === 1 });
      const want = play(ref, steps, config);
      const got = play(real, steps, config, { owned: true });
      expect(got.steps).toEqual(want.steps);
      // Notifications emitted earlier are not changed by later updates of the same subject.
      expect(canonicalJson(got.intents)).toBe(canonicalJson(want.intents));
      expect(canonicalJson(got.states)).toBe(canonicalJson(want.states));
    }
  });

  it('keeps the top-level fields of the state given, so its version is still the one read', () => {
    const steps = seededStream({ seed: 5, events: 600, startAt: T0 });
    let checked = 0;
    const watching: typeof real = {
      ...real,
      applyBatches: (key, state, batches, now, config, options) => {
        const before = state && { ...state };
        const update = real.applyBatches(key, state, batches, now, config, options);
        if (state && before) {
          expect({ ...state }).toEqual(before);
          if (update.state) expect(update.state).not.toBe(state);
          checked++;
        }
        return update;
      },
    };
    play(watching, steps, DEFAULT_POLICY, { owned: true });
    expect(checked).toBeGreaterThan(50);
  });
});

describe('policy engine: a quiet gap inside one batch', () => {
  // A subject whose quiet period ends between two errors of the same batch, applied before the sweep ran:
  // the later error resolves it and opens a new one, exactly as event-by-event ingestion does. At exactly
  // the quiet period it resolves it but opens nothing (the error is not after the resolved span); a
  // millisecond short, it only adds to it.
  const MIN = 60_000;
  it.each([
    ['an immediate incident', 500, 15, 15 * MIN + 30_000, 'reopened', true],
    ['an account-issue group', 402, 60, 60 * MIN + 30_000, 'reopened', true],
    ['an immediate incident (gap exactly the quiet period)', 500, 15, 15 * MIN, 'resolved', true],
    ['an account-issue group (gap exactly the quiet period)', 402, 60, 60 * MIN, 'resolved', true],
    ['an immediate incident (gap 1 ms short)', 500, 15, 15 * MIN - 1, 'continued', true],
    // The gap from the subject's last seen to the only error of the next batch.
    ['an immediate incident (gap before the batch, exactly)', 500, 15, 15 * MIN, 'resolved', false],
    ['an immediate incident (gap before the batch, 1 ms short)', 500, 15, 15 * MIN - 1, 'continued', false],
  ])(
    'handles %s at the error after the gap as the reference does',
    (_name, status, quiet, gap, outcome, within) => {
      const at = (ms: number, id: string) => ({
        id,
        status,
        model: 'm',
        account: 'acme',
        app: 'a',
        requestId: id,
        occurredAt: new Date(T0 + ms).toISOString(),
      });
      const first = { batchId: 'b1', receivedAt: T0, events: [at(0, 'r1'), at(MIN, 'r2')] };
      const afterGap = (within ? 2 * MIN : MIN) + gap;
      // The error after the gap is the batch's latest: whether the batch can be added as a whole turns on it.
      const second = {
        batchId: 'b2',
        receivedAt: T0 + afterGap,
        events: within ? [at(2 * MIN, 'r3'), at(afterGap, 'r4')] : [at(afterGap, 'r4')],
      };
      const now = T0 + afterGap + 10_000;
      expect(quiet * MIN).toBe(
        (status === 500 ? DEFAULT_POLICY.incidents : DEFAULT_POLICY.accountIssues).resolveAfterQuietSeconds *
          1000,
      );
      const outcomes = [real, ref].map((e) => {
        const [key] = e.scopeKeysOf([first], DEFAULT_POLICY) as [string];
        const opened = e.applyBatches(key, undefined, [first], T0 + 2 * MIN, DEFAULT_POLICY);
        return e.applyBatches(key, opened.state, [second], now, DEFAULT_POLICY);
      });
      expect(canonicalJson(outcomes[0])).toBe(canonicalJson(outcomes[1]));
      const state = outcomes[0]?.state as { current?: { openedAt: number; count: number } };
      if (outcome === 'resolved') expect(state.current).toBeUndefined();
      else {
        expect(state.current).toMatchObject(
          outcome === 'reopened'
            ? { openedAt: T0 + afterGap, count: 1 }
            : { openedAt: T0, count: within ? 4 : 3 },
        );
      }
    },
  );
});

describe('policy engine: the distinct values of a scope whose key fixes one of them', () => {
  it('lists what the events carry, as the reference does, for the account issues of events without an account', () => {
    const MIN = 60_000;
    const event = (n: number, fields: { account?: string }): TriageEvent => ({
      id: `e${n}`,
      status: 402,
      app: `app-${n % 2}`,
      model: `m-${n % 3}`,
      occurredAt: new Date(T0 + n * 1000).toISOString(),
      ...fields,
    });
    // All land in account#unknown#402: most carry no account, one the literal "unknown".
    const first: EventBatch = { batchId: 'b1', receivedAt: T0, events: [event(0, {}), event(1, {})] };
    const second: EventBatch = {
      batchId: 'b2',
      receivedAt: T0 + MIN,
      events: [event(2, {}), event(3, { account: 'unknown' })],
    };
    const outcomes = [real, ref].map((e) => {
      const [key] = e.scopeKeysOf([first], DEFAULT_POLICY) as [string];
      expect(e.scopeKeysOf([second], DEFAULT_POLICY)).toEqual([key]);
      const opened = e.applyBatches(key, undefined, [first], T0 + MIN, DEFAULT_POLICY);
      return e.applyBatches(key, opened.state, [second], T0 + 2 * MIN, DEFAULT_POLICY);
    });
    expect(canonicalJson(outcomes[0])).toBe(canonicalJson(outcomes[1]));
    const state = outcomes[0]?.state as { current?: { accounts: string[]; models: string[] } };
    expect(state.current?.accounts).toEqual(['unknown']);
    expect(state.current?.models).toEqual(['m-0', 'm-1', 'm-2']);
  });
});
