import type { TriageEvent } from '../../../../functions/core/event';
import { batchesByScope, DEFAULT_POLICY, parsePolicyConfig } from '../../../../functions/core/policy';
import { describeScope } from '../../../../functions/core/policy/scope-key';

const OTHER = parsePolicyConfig({
  incidents: { immediateStatuses: [502, 520] },
  accountIssues: { statuses: [401, 429] },
});

const MODEL = 'accounts/fireworks/models/m';
const event = (status: number, fields: Partial<TriageEvent> = {}): TriageEvent => ({
  id: 'e',
  status,
  ...fields,
});
const keyOf = (e: TriageEvent, config = DEFAULT_POLICY) => describeScope(e, config).key;

describe('scope keys', () => {
  it('put a 5xx in an incident scope by rule, then model, else endpoint', () => {
    expect(keyOf(event(500, { model: MODEL, endpoint: '/v1/x' }))).toBe(`incident#immediate#model#${MODEL}`);
    expect(keyOf(event(503, { model: MODEL }))).toBe(`incident#persistent#model#${MODEL}`);
    expect(keyOf(event(599, { endpoint: '/v1/chat/completions' }))).toBe(
      'incident#persistent#endpoint#/v1/chat/completions',
    );
    expect(keyOf(event(500))).toBe('incident#immediate#unknown');
    expect(keyOf(event(502, { model: MODEL }), OTHER)).toBe(`incident#immediate#model#${MODEL}`);
    expect(keyOf(event(500, { model: MODEL }), OTHER)).toBe(`incident#persistent#model#${MODEL}`);
  });

  it('put an account-issue status in a group per account and status, a failed LoRA load in a support incident', () => {
    expect(describeScope(event(402, { account: 'acme', model: MODEL }), DEFAULT_POLICY)).toEqual({
      kind: 'account-issue',
      key: 'account#acme#402',
      account: 'acme',
      status: 402,
    });
    expect(keyOf(event(401))).toBe('account#unknown#401');
    expect(
      describeScope(event(412, { account: 'acme', message: 'account is suspended' }), DEFAULT_POLICY),
    ).toEqual({
      kind: 'account-issue',
      key: 'account#acme#412',
      account: 'acme',
      status: 412,
      subtype: 'account-status',
    });
    expect(
      describeScope(
        event(412, { account: 'acme', model: MODEL, message: 'LoRA adapter failed to load' }),
        DEFAULT_POLICY,
      ),
    ).toEqual({
      kind: 'incident',
      key: `incident#lora-load-failed#model#${MODEL}`,
      rule: 'immediate',
      model: MODEL,
      subtype: 'lora-load-failed',
    });
    expect(
      keyOf(event(412, { model: undefined, endpoint: '/v1/x', message: 'LoRA adapter failed to load' })),
    ).toBe('incident#lora-load-failed#endpoint#/v1/x');
    expect(keyOf(event(429, { account: 'acme' }), OTHER)).toBe('account#acme#429');
    expect(keyOf(event(402, { account: 'acme' }), OTHER)).toBe('count#402');
  });

  it('count every other status, valid or not, in one counter per status', () => {
    for (const status of [100, 200, 404, 429, 499, 600, 99, 503.5, -1]) {
      const e = event(status, { model: MODEL, account: 'acme', app: 'shop' });
      if (status >= 500 && status <= 599) expect(describeScope(e, DEFAULT_POLICY).kind).toBe('incident');
      else
        expect(describeScope(e, DEFAULT_POLICY)).toEqual({ kind: 'counter', key: `count#${status}`, status });
    }
  });

  it('split a batch by scope, in order of first appearance, keeping each scope’s events in order', () => {
    const events = [
      event(503, { id: 'a', model: 'm1' }),
      event(429, { id: 'b' }),
      event(503, { id: 'c', model: 'm1' }),
      event(402, { id: 'd', account: 'acme' }),
      event(429, { id: 'e' }),
    ];
    const split = batchesByScope({ batchId: 'b-1', receivedAt: 1, events }, DEFAULT_POLICY);
    expect(
      [...split].map(([key, batch]) => [key, batch.batchId, batch.events.map((e) => e.id).join('')]),
    ).toEqual([
      ['incident#persistent#model#m1', 'b-1', 'ac'],
      ['count#429', 'b-1', 'be'],
      ['account#acme#402', 'b-1', 'd'],
    ]);
  });

  it('split a batch into the scope describeScope gives each event, even when names coincide', () => {
    const events = [
      event(503, { id: 'a', model: '/v1/x' }),
      event(503, { id: 'b', endpoint: '/v1/x' }),
      event(503, { id: 'c' }),
      event(402, { id: 'd', account: 'acme', model: '/v1/x' }),
      event(402, { id: 'e' }),
      event(412, { id: 'f', account: 'acme', message: 'LoRA adapter failed to load' }),
      event(412, { id: 'g', account: 'acme', message: 'account is suspended' }),
      event(429, { id: 'h', model: '/v1/x', account: 'acme' }),
    ];
    const split = batchesByScope({ batchId: 'b-1', receivedAt: 1, events }, OTHER);
    for (const e of events) {
      expect(split.get(keyOf(e, OTHER))?.events).toContain(e);
    }
    expect([...split.values()].map((b) => b.events.length).reduce((a, b) => a + b)).toBe(events.length);
  });

  it('give each scope of a split batch its events’ times, the receive time when they have none', () => {
    const events = [
      event(429, { id: 'a', occurredAt: '2026-11-25T15:00:00.000Z' }),
      event(429, { id: 'b' }),
      event(429, { id: 'c', occurredAt: 'not a time' }),
    ];
    const [only] = batchesByScope({ batchId: 'b-1', receivedAt: 7, events }, DEFAULT_POLICY).values();
    expect(only?.times).toEqual([Date.UTC(2026, 10, 25, 15), 7, 7]);
  });
});
