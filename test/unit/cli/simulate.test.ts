import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';

const FIXTURES = join(__dirname, '../../fixtures/simulate');

function fakeIo(stdin: string | string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdin: Readable.from(Array.isArray(stdin) ? stdin : [stdin]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  };
  return { io, out, err, json: () => out.map((line) => JSON.parse(line)) };
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('triage simulate', () => {
  it('prints one JSON line per notification, in event time, until everything is resolved', async () => {
    const run = fakeIo(fixture('outage.jsonl'));
    expect(await main(['simulate'], run.io)).toBe(0);
    const lines = run.json();
    expect(lines.map((l) => [l.at, l.kind, l.status, l.count])).toEqual([
      ['2026-11-25T15:03:00.000Z', 'incident.opened', 503, 5],
      ['2026-11-25T15:03:00.000Z', 'account-issue.opened', 402, 1],
      ['2026-11-25T15:18:00.000Z', 'incident.resolved', 503, 5],
      ['2026-11-25T15:31:00.000Z', 'incident.opened', 500, 1],
      ['2026-11-25T15:45:00.000Z', 'incident.resolved', 500, 1],
      ['2026-11-25T16:02:00.000Z', 'account-issue.resolved', 402, 1],
    ]);
    expect(lines[0]).toMatchObject({
      model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
      account: null,
      apps: ['checkout', 'search'],
      notificationId: expect.stringMatching(/^inc-.+:1:opened$/),
    });
    expect(lines[1]).toMatchObject({ account: 'acme', model: null });
    expect(run.err.at(-1)).toBe('simulated 8 events in 4 scopes: 6 notifications');
  });

  it('gives the same notification ids on every run', async () => {
    const first = fakeIo(fixture('outage.jsonl'));
    const second = fakeIo(fixture('outage.jsonl'));
    await main(['simulate'], first.io);
    await main(['simulate'], second.io);
    expect(second.out).toEqual(first.out);
  });

  it('reads lines split across chunks and events in any order', async () => {
    const lines = fixture('outage.jsonl').trim().split('\n').reverse().join('\n');
    const chunks = lines.match(/[\s\S]{1,37}/g) as string[];
    const run = fakeIo(chunks);
    expect(await main(['simulate'], run.io)).toBe(0);
    expect(run.out).toHaveLength(6);
  });

  it('applies a policy file given with --config', async () => {
    const run = fakeIo(fixture('outage.jsonl'));
    expect(await main(['simulate', '--config', join(FIXTURES, 'policy-strict.json')], run.io)).toBe(0);
    const kinds = run.json().map((l) => `${l.kind} ${l.status} ${l.at}`);
    // 3 errors over 60 s open at 15:02; 402 is no longer an account issue.
    expect(kinds).toEqual([
      'incident.opened 503 2026-11-25T15:02:00.000Z',
      'incident.resolved 503 2026-11-25T15:18:00.000Z',
      'incident.opened 500 2026-11-25T15:31:00.000Z',
      'incident.resolved 500 2026-11-25T15:45:00.000Z',
    ]);
  });

  it('prints each notification as a channel receives it with --format', async () => {
    const json = fakeIo(fixture('outage.jsonl'));
    const chat = fakeIo(fixture('outage.jsonl'));
    const pagerDuty = fakeIo(fixture('outage.jsonl'));
    const email = fakeIo(fixture('outage.jsonl'));
    expect(await main(['simulate', '--format', 'json'], json.io)).toBe(0);
    expect(await main(['simulate', '--format', 'chat'], chat.io)).toBe(0);
    expect(await main(['simulate', '--format', 'pagerduty'], pagerDuty.io)).toBe(0);
    expect(await main(['simulate', '--format', 'email'], email.io)).toBe(0);

    expect(json.json().map((n) => n.kind)).toHaveLength(6);
    expect(json.json()[0]).toMatchObject({ kind: 'incident.opened', possibleIssue: expect.any(String) });
    const threads = chat.json().map((m) => [m.version, m.source, m.metadata.eventType, m.metadata.threadId]);
    expect(threads[0]).toEqual(['1.0', 'custom', 'incident.opened', json.json()[0].subjectId]);
    expect(threads[2]).toEqual(['1.0', 'custom', 'incident.resolved', json.json()[0].subjectId]);
    // Support-topic notices only (the default forwarding), without a routing key.
    expect(pagerDuty.json().map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', json.json()[0].subjectId],
      ['resolve', json.json()[0].subjectId],
      ['trigger', json.json()[3].subjectId],
      ['resolve', json.json()[3].subjectId],
    ]);
    expect(pagerDuty.out.join('\n')).not.toContain('routing_key');
    expect(email.out).toHaveLength(6);
    expect(email.out[0]).toMatch(
      /^Subject: \[HIGH\] Incident opened: 503 Service Unavailable.*\n\nIncident opened/,
    );
  });

  it('refuses an unknown --format before reading any event', async () => {
    const run = fakeIo(fixture('outage.jsonl'));
    expect(await main(['simulate', '--format', 'slack'], run.io)).toBe(2);
    expect(run.err).toEqual([
      "triage simulate: option '--format <format>' argument 'slack' is invalid. Allowed choices are json, email, chat, pagerduty; see `triage simulate --help`",
    ]);
  });

  it('takes the same policy from a deployment config or cdk.json, as `extract --config` does', async () => {
    const bare = fakeIo(fixture('outage.jsonl'));
    await main(['simulate', '--config', join(FIXTURES, 'policy-strict.json')], bare.io);
    const policy = JSON.parse(fixture('policy-strict.json'));
    const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ logCount: 'llm', policy }));
      writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { policy } }));
      for (const file of ['config.json', 'cdk.json']) {
        const run = fakeIo(fixture('outage.jsonl'));
        expect(await main(['simulate', '--config', file], run.io, { cwd: dir })).toBe(0);
        expect(run.out).toEqual(bare.out);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders with the deployment config’s runbooks and PagerDuty forwarding, with or without a policy key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
    try {
      const runbooks = { byStatus: { '503': 'https://wiki.example.com/503' } };
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ runbooks, pagerDuty: { secretName: 'pd', severities: ['critical'] } }),
      );
      const chat = fakeIo(fixture('outage.jsonl'));
      expect(
        await main(['simulate', '--config', 'config.json', '--format', 'chat'], chat.io, { cwd: dir }),
      ).toBe(0);
      const steps = chat
        .json()
        .map((message) => (message as { content: { nextSteps: string[] } }).content.nextSteps.join(' '));
      expect(steps.some((text) => text.includes('https://wiki.example.com/503'))).toBe(true);
      // Only critical triggers are forwarded: the default policy's 503 incident is "high", so it has none.
      const pager = fakeIo(fixture('outage.jsonl'));
      expect(
        await main(['simulate', '--config', 'config.json', '--format', 'pagerduty'], pager.io, { cwd: dir }),
      ).toBe(0);
      const all = fakeIo(fixture('outage.jsonl'));
      await main(['simulate', '--format', 'pagerduty'], all.io);
      const triggers = (run: { json(): unknown[] }) =>
        run.json().filter((event) => (event as { event_action: string }).event_action === 'trigger');
      expect(triggers(pager).length).toBeLessThan(triggers(all).length);
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ runbooks: { byStatus: { '503': 'ftp://x' } } }));
      const bad = fakeIo(fixture('outage.jsonl'));
      expect(await main(['simulate', '--config', 'bad.json'], bad.io, { cwd: dir })).toBe(2);
      expect(bad.err.join('\n')).toContain('runbooks: byStatus.503: expected an http(s) URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the whole intent with --full', async () => {
    const run = fakeIo(fixture('outage.jsonl'));
    await main(['simulate', '--full'], run.io);
    expect(run.json()[0]).toMatchObject({
      topic: 'support',
      possibleIssue: expect.any(String),
      sampleRequestIds: ['r1', 'r2', 'r3', 'r4', 'r5'],
    });
  });

  it('places events without occurredAt at --start, then at the time of the event before', async () => {
    const run = fakeIo([
      '{"status":500,"model":"m"}\n',
      '{"status":500,"model":"m","occurredAt":"2026-11-25T16:00:00Z"}\n',
    ]);
    expect(await main(['simulate', '--start', '2026-11-25T15:00:00Z'], run.io)).toBe(0);
    expect(run.json().map((l) => `${l.kind} ${l.firstSeen}`)).toEqual([
      'incident.opened 2026-11-25T15:00:00.000Z',
      'incident.resolved 2026-11-25T15:00:00.000Z',
      'incident.opened 2026-11-25T16:00:00.000Z',
      'incident.resolved 2026-11-25T16:00:00.000Z',
    ]);
  });

  it('rejects bad lines with exit 2, naming each line and what is wrong', async () => {
    const run = fakeIo(fixture('bad-lines.jsonl'));
    expect(await main(['simulate'], run.io)).toBe(2);
    expect(run.out).toEqual([]);
    expect(run.err[0]).toBe('line 2: status: status must be an integer');
    expect(run.err[1]).toMatch(/^line 3: not JSON/);
    expect(run.err[2]).toBe('line 4: expected a JSON object (one event)');
    expect(run.err[3]).toMatch(/^line 5: occurredAt: /);
    expect(run.err.at(-1)).toContain('4 of 5 lines are not valid events');
  });

  it('rejects an invalid policy file with exit 2, naming the key', async () => {
    const run = fakeIo('');
    expect(await main(['simulate', '--config', join(FIXTURES, 'policy-bad.json')], run.io)).toBe(2);
    expect(run.err.join('\n')).toContain('incidents.persistence.minErrors: expected an integer ≥ 1');
  });

  it('rejects a missing policy file and a bad --start with exit 2', async () => {
    const missing = fakeIo('');
    expect(await main(['simulate', '--config', join(FIXTURES, 'nope.json')], missing.io)).toBe(2);
    expect(missing.err.join('\n')).toContain('nope.json');
    const start = fakeIo('');
    expect(await main(['simulate', '--start', 'monday'], start.io)).toBe(2);
  });

  it('prints nothing but the summary for empty input', async () => {
    const run = fakeIo('');
    expect(await main(['simulate'], run.io)).toBe(0);
    expect(run.out).toEqual([]);
    expect(run.err).toEqual(['simulated 0 events in 0 scopes: 0 notifications']);
  });
});
