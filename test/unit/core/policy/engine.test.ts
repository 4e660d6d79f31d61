import {
  applyBatches,
  batchFingerprint,
  DEFAULT_POLICY,
  type EventBatch,
  type IncidentScope,
  markPublished,
  parsePolicyConfig,
  rememberedFingerprints,
  type ScopeState,
  scopeKeysOf,
  sweepScope,
} from '../../../../functions/core/policy';
import { event, kinds, MIN, MODEL, PolicyStore, SEC, T0 } from './policy-harness';

const INCIDENT_500 = `incident#immediate#model#${MODEL}`;
const PERSISTENT = `incident#persistent#model#${MODEL}`;

describe('policy engine: scopes', () => {
  it.each([
    [{ status: 500 }, INCIDENT_500],
    [{ status: 503 }, PERSISTENT],
    [{ status: 599 }, PERSISTENT],
    [
      { status: 502, model: undefined, endpoint: '/inference/v1/chat/completions' },
      'incident#persistent#endpoint#/inference/v1/chat/completions',
    ],
    [{ status: 500, model: undefined }, 'incident#immediate#unknown'],
    [{ status: 402, account: 'acme' }, 'account#acme#402'],
    [{ status: 401 }, 'account#unknown#401'],
    [{ status: 412, account: 'acme', message: 'Account suspended' }, 'account#acme#412'],
    [
      { status: 412, account: 'acme', message: 'LoRA adapter failed to load' },
      `incident#lora-load-failed#model#${MODEL}`,
    ],
    [{ status: 429, account: 'acme' }, 'count#429'],
    [{ status: 404, model: 'a#b c', app: undefined }, 'count#404'],
    [{ status: 503, model: 'a#b c' }, 'incident#persistent#model#a%23b%20c'],
    [{ status: 401, account: 'a#b c' }, 'account#a%23b%20c#401'],
  ])('puts %j in scope %s', (fields, key) => {
    const e = { ...event(0, 0), ...fields };
    expect(scopeKeysOf([{ batchId: 'b', receivedAt: T0, events: [e] }], DEFAULT_POLICY)).toEqual([key]);
  });

  it('keeps keys under 1 KB and ASCII for long non-ASCII values', () => {
    const events = [
      event(503, 0, { model: 'é'.repeat(256) }),
      event(500, 0, { model: undefined, endpoint: `/${'ü'.repeat(511)}` }),
      event(402, 0, { account: '#'.repeat(128) }),
    ];
    const keys = scopeKeysOf([{ batchId: 'b', receivedAt: T0, events }], DEFAULT_POLICY);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key.length).toBeLessThan(1024);
      expect(key).toMatch(/^[\x21-\x7e]+$/);
    }
  });

  it('does not mistake two different models that differ only in escaped characters', () => {
    const keys = scopeKeysOf(
      [
        {
          batchId: 'b',
          receivedAt: T0,
          events: [
            event(503, 0, { model: 'a#b' }),
            event(503, 0, { model: 'a%23b' }),
            event(402, 0, { account: 'a b' }),
            event(402, 0, { account: 'a%20b' }),
          ],
        },
      ],
      DEFAULT_POLICY,
    );
    expect(new Set(keys).size).toBe(4);
  });

  it('keeps one counter scope per status whatever the model, account and app', () => {
    const events = [
      event(429, 0, { account: 'acme' }),
      event(429, 0, { model: 'other', app: 'search' }),
      event(429, 0, { model: undefined, account: undefined, app: undefined }),
      event(404, 0),
      event(418, 0),
    ];
    expect(scopeKeysOf([{ batchId: 'b', receivedAt: T0, events }], DEFAULT_POLICY)).toEqual([
      'count#429',
      'count#404',
      'count#418',
    ]);
  });
});

describe('policy engine: incidents', () => {
  it('opens a critical incident on the first 500, at once', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const [opened, ...rest] = store.apply([event(500, 5 * SEC)], 10 * SEC);
    expect(rest).toEqual([]);
    expect(opened).toMatchObject({
      kind: 'incident.opened',
      topic: 'support',
      severity: 'critical',
      status: 500,
      name: 'Internal Server Error',
      scopeKey: INCIDENT_500,
      scope: { rule: 'immediate', model: MODEL },
      model: MODEL,
      apps: ['checkout'],
      count: 1,
      newSinceLast: 1,
      firstSeen: new Date(T0 + 5 * SEC).toISOString(),
      at: new Date(T0 + 10 * SEC).toISOString(),
    });
  });

  it.each([
    ['a single 503', [0], false],
    ['a burst of 50 within 10 seconds', Array.from({ length: 50 }, (_, i) => i * 200), false],
    ['4 errors over 5 minutes', [0, 100, 200, 300].map((s) => s * SEC), false],
    ['5 errors 2 minutes apart end to end', [0, 30, 60, 90, 120].map((s) => s * SEC), true],
    ['5 errors 119 seconds apart end to end', [0, 30, 60, 90, 119].map((s) => s * SEC), false],
    ['5 errors spread over 12 minutes', [0, 180, 360, 540, 720].map((s) => s * SEC), false],
    [
      'a storm of 1000 in 10 s, then one error 2 minutes later',
      [...Array.from({ length: 1000 }, (_, i) => i * 10), 130 * SEC],
      true,
    ],
  ])('persistent 5xx: %s opens an incident: %s', (_name, offsets, opens) => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const last = Math.max(...offsets);
    // One batch per error, applied right after it happened.
    for (const at of offsets) store.apply([event(503, at)], at + SEC);
    expect(kinds(store.sent)).toEqual(opens ? ['incident.opened'] : []);
    if (opens) expect(store.sent[0]).toMatchObject({ count: offsets.length, severity: 'high', status: 503 });
    expect(store.scope(PERSISTENT).total).toBe(offsets.length);
    expect(last).toBeGreaterThanOrEqual(0);
  });

  it('opens a persistent incident from one batch of late events received out of order', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const events = [240, 0, 180, 60, 120].map((s) => event(502, s * SEC));
    expect(kinds(store.apply(events, 5 * MIN))).toEqual(['incident.opened']);
    expect(store.sent[0]).toMatchObject({
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(T0 + 4 * MIN).toISOString(),
      statusCounts: { 502: 5 },
    });
  });

  it('names the most frequent status of a mixed persistent incident', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const statuses = [502, 503, 503, 504, 503];
    store.apply(
      statuses.map((s, i) => event(s, i * 40 * SEC)),
      3 * MIN,
    );
    expect(store.sent[0]).toMatchObject({ status: 503, statusCounts: { 502: 1, 503: 3, 504: 1 } });
  });

  it('reminds every 60 minutes while errors continue, and resolves after 15 quiet minutes', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    // An error every 5 minutes for 2.5 hours, swept every minute.
    for (let m = 5; m <= 150; m += 5) {
      store.apply([event(500, m * MIN)], m * MIN + SEC);
      store.sweepEveryMinute((m - 4) * MIN, m * MIN);
    }
    store.sweepEveryMinute(151 * MIN, 200 * MIN);
    expect(kinds(store.sent)).toEqual([
      'incident.opened',
      'incident.reminder',
      'incident.reminder',
      'incident.resolved',
    ]);
    const [opened, r1, r2, resolved] = store.sent;
    // Due an hour after the opening notice; the error arriving then finds it due.
    expect(r1).toMatchObject({
      at: new Date(T0 + 60 * MIN + SEC).toISOString(),
      count: 13,
      newSinceLast: 12,
    });
    expect(r2?.at).toBe(new Date(T0 + 120 * MIN + SEC).toISOString());
    expect(resolved).toMatchObject({
      at: new Date(T0 + 165 * MIN).toISOString(),
      count: 31,
      newSinceLast: 6,
    });
    expect(new Set(store.sent.map((i) => i.subjectId))).toEqual(new Set([opened?.subjectId]));
    expect(new Set(store.sent.map((i) => i.notificationId)).size).toBe(4);
    expect(store.scope(INCIDENT_500).nextDueAt).toBeUndefined();
  });

  it('opens a new incident, with a new id, for a burst after the resolution', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    store.sweepEveryMinute(MIN, 20 * MIN);
    store.apply([event(500, 30 * MIN)], 30 * MIN + SEC);
    expect(kinds(store.sent)).toEqual(['incident.opened', 'incident.resolved', 'incident.opened']);
    expect(store.sent[2]?.subjectId).not.toBe(store.sent[0]?.subjectId);
    expect(store.sent[2]?.count).toBe(1);
  });

  it('resolves by event time when the next error comes after a quiet period the sweep has not seen yet', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    expect(kinds(store.apply([event(500, 20 * MIN)], 20 * MIN + SEC))).toEqual([
      'incident.resolved',
      'incident.opened',
    ]);
  });

  it('counts late and future-stamped errors but opens nothing for them', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const stale = event(500, 0);
    const future = event(500, 60 * MIN);
    expect(store.apply([stale, future], 30 * MIN)).toEqual([]);
    expect(store.scope(INCIDENT_500).total).toBe(2);
    expect(store.scope(INCIDENT_500).nextDueAt).toBeUndefined();
    expect((store.scope(INCIDENT_500) as { current?: unknown }).current).toBeUndefined();
  });

  it('accepts clock skew up to clockSkewSeconds', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    expect(kinds(store.apply([event(500, 5 * MIN)], SEC))).toEqual(['incident.opened']);
  });

  it('counts a future-stamped error into an open incident without postponing its resolution', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    store.apply([event(500, 3 * 60 * MIN)], 2 * MIN);
    const resolved = store.sweepEveryMinute(3 * MIN, 16 * MIN);
    expect(resolved).toMatchObject([{ kind: 'incident.resolved', count: 2 }]);
  });

  it('does not reopen from a late error that belongs before the resolution', () => {
    const config = parsePolicyConfig({ incidents: { resolveAfterQuietSeconds: 600 } });
    const store = new PolicyStore(config);
    store.apply([event(500, 0)], SEC);
    store.sweepEveryMinute(MIN, 11 * MIN);
    expect(store.apply([event(500, 9 * MIN)], 12 * MIN)).toEqual([]);
    expect(store.scope(INCIDENT_500).total).toBe(2);
  });
});

describe('policy engine: account issues', () => {
  const ACME_402 = 'account#acme#402';
  const e402 = (at: number, fields = {}) => event(402, at, { account: 'acme', ...fields });

  it('collects a burst during the 60 s group wait, then notifies once with the total', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    expect(store.apply([e402(0), e402(SEC)], 2 * SEC)).toEqual([]);
    expect(store.scope(ACME_402).nextDueAt).toBe(T0 + 62 * SEC);
    store.apply([e402(30 * SEC, { app: 'search' })], 31 * SEC);
    expect(store.sweep(61 * SEC)).toEqual([]);
    const [opened, ...rest] = store.sweep(62 * SEC);
    expect(rest).toEqual([]);
    expect(opened).toMatchObject({
      kind: 'account-issue.opened',
      topic: 'account',
      severity: 'high',
      status: 402,
      name: 'Payment Required',
      account: 'acme',
      scope: { account: 'acme', status: 402 },
      count: 3,
      apps: ['checkout', 'search'],
    });
  });

  it('updates only when the count at least doubled, at most every 15 minutes, and resolves after a quiet hour', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    for (let m = 0; m <= 40; m++) {
      store.apply([e402(m * MIN)], m * MIN + SEC);
      store.sweep(m * MIN + 2 * SEC);
    }
    store.sweepEveryMinute(41 * MIN, 120 * MIN);
    // 2 at the opening; 17 (≥ 4) after 15 minutes; then 34 (≥ 2 × 17) at minute 33; 41 never doubles again.
    expect(kinds(store.sent)).toEqual([
      'account-issue.opened',
      'account-issue.updated',
      'account-issue.updated',
      'account-issue.resolved',
    ]);
    expect(store.sent.map((i) => (new Date(i.at).getTime() - T0) / SEC)).toEqual([61, 961, 1981, 6000]);
    expect(store.sent.map((i) => i.count)).toEqual([2, 17, 34, 41]);
  });

  it('updates every 15 minutes while the count grows at all with updateGrowthFactor 1 (the former rule)', () => {
    const store = new PolicyStore(parsePolicyConfig({ accountIssues: { updateGrowthFactor: 1 } }));
    for (let m = 0; m <= 40; m++) {
      store.apply([e402(m * MIN)], m * MIN + SEC);
      store.sweep(m * MIN + 2 * SEC);
    }
    store.sweepEveryMinute(41 * MIN, 120 * MIN);
    expect(store.sent.map((i) => (new Date(i.at).getTime() - T0) / SEC)).toEqual([61, 961, 1861, 2820, 6000]);
    expect(store.sent.map((i) => i.newSinceLast)).toEqual([2, 15, 15, 9, 0]);
  });

  it('updates when a new app or API key fingerprint appears, even if the count did not double', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply(
      [e402(0, { apiKeyId: 'key-a' }), e402(0, { apiKeyId: 'key-a' }), e402(0, { apiKeyId: 'key-a' })],
      SEC,
    );
    store.sweep(MIN + SEC);
    store.apply([e402(2 * MIN, { apiKeyId: 'key-a' })], 2 * MIN);
    store.sweepEveryMinute(3 * MIN, 30 * MIN);
    expect(kinds(store.sent)).toEqual(['account-issue.opened']);

    store.apply([e402(31 * MIN, { apiKeyId: 'key-b' })], 31 * MIN);
    store.sweep(31 * MIN + SEC);
    store.apply([e402(32 * MIN, { app: 'batch', apiKeyId: 'key-b' })], 32 * MIN);
    store.sweepEveryMinute(33 * MIN, 47 * MIN);
    // Counts 3 → 5 → 6 never double; a new key at minute 31 is news, and so is a new app a minute later,
    // which waits out the 15 minutes since that update.
    expect(kinds(store.sent)).toEqual([
      'account-issue.opened',
      'account-issue.updated',
      'account-issue.updated',
    ]);
    expect(store.sent.map((i) => (new Date(i.at).getTime() - T0) / SEC)).toEqual([61, 1860, 2760]);
    expect(store.sent.map((i) => i.count)).toEqual([3, 5, 6]);
  });

  it('does not update when the count did not grow, but reminds after the reminder interval', () => {
    const config = parsePolicyConfig({ accountIssues: { reminderIntervalSeconds: 1800 } });
    const store = new PolicyStore(config);
    store.apply([e402(0)], SEC);
    store.sweepEveryMinute(MIN + SEC, 59 * MIN);
    expect(kinds(store.sent)).toEqual(['account-issue.opened', 'account-issue.reminder']);
    expect(store.sent[1]).toMatchObject({ newSinceLast: 0, at: new Date(T0 + 31 * MIN + SEC).toISOString() });
  });

  it('groups by account and code', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply(
      [e402(0), e402(0, { account: 'globex' }), event(401, 0, { account: 'acme' }), event(403, 0)],
      SEC,
    );
    store.sweep(2 * MIN);
    expect(store.sent.map((i) => [i.account, i.status]).sort()).toEqual([
      ['acme', 401],
      ['acme', 402],
      ['globex', 402],
      ['unknown', 403],
    ]);
  });

  it('pages support at once for a LoRA that failed to load (412), and keeps a suspended account an account issue', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const atOnce = store.apply(
      [
        event(412, 0, { account: 'acme', message: 'account suspended' }),
        event(412, 0, { account: 'acme', message: 'LoRA failed to load' }),
      ],
      SEC,
    );
    expect(atOnce).toEqual([
      expect.objectContaining({
        kind: 'incident.opened',
        topic: 'support',
        severity: 'high',
        status: 412,
        subtype: 'lora-load-failed',
        model: MODEL,
        scopeKey: `incident#lora-load-failed#model#${MODEL}`,
        scope: { rule: 'immediate', model: MODEL },
      }),
    ]);
    store.sweep(2 * MIN);
    expect(store.sent.map((i) => [i.kind, i.subtype])).toEqual([
      ['incident.opened', 'lora-load-failed'],
      ['account-issue.opened', 'account-status'],
    ]);
  });
});

describe('policy engine: silences', () => {
  const silenced = (match: object, from = 0, to = 30 * MIN) =>
    parsePolicyConfig({
      silences: [{ id: 'maintenance', startsAt: T0 + from, endsAt: T0 + to, ...match }],
    });

  it('holds the opening notice, keeps counting, and sends it when the silence ends while errors continue', () => {
    const store = new PolicyStore(silenced({ models: [MODEL] }));
    for (let m = 0; m <= 40; m += 5) {
      store.apply([event(500, m * MIN)], m * MIN + SEC);
      store.sweepEveryMinute(m * MIN + MIN, m * MIN + 4 * MIN);
    }
    expect(store.sent).toMatchObject([
      {
        kind: 'incident.opened',
        delayedBySilence: 'maintenance',
        at: new Date(T0 + 30 * MIN + SEC).toISOString(),
        count: 7,
      },
    ]);
  });

  it('sends nothing for an incident that started and ended inside the silence', () => {
    const store = new PolicyStore(silenced({ statuses: [500] }, 0, 60 * MIN));
    store.apply([event(500, 0)], SEC);
    store.sweepEveryMinute(MIN, 90 * MIN);
    expect(store.sent).toEqual([]);
    expect(store.scope(INCIDENT_500).nextDueAt).toBeUndefined();
  });

  it('still sends the resolved notice of an incident announced before the silence began', () => {
    const store = new PolicyStore(silenced({ statuses: [500] }, 2 * MIN, 60 * MIN));
    store.apply([event(500, 0)], SEC);
    store.sweepEveryMinute(MIN, 30 * MIN);
    expect(kinds(store.sent)).toEqual(['incident.opened', 'incident.resolved']);
  });

  it('does not hide an incident that also hits an app the silence does not name', () => {
    const store = new PolicyStore(silenced({ apps: ['batch'] }));
    expect(store.apply([event(500, 0, { app: 'batch' })], SEC)).toEqual([]);
    expect(kinds(store.apply([event(500, MIN, { app: 'checkout' })], MIN + SEC))).toEqual([
      'incident.opened',
    ]);
  });

  it('matches on environment: holds an incident whose errors are all in it, never one without environments', () => {
    const staging = new PolicyStore(silenced({ environments: ['staging'] }));
    expect(staging.apply([event(500, 0, { environment: 'staging' })], SEC)).toEqual([]);
    expect(kinds(staging.apply([event(500, MIN, { environment: 'prod' })], MIN + SEC))).toEqual([
      'incident.opened',
    ]);
    const unnamed = new PolicyStore(silenced({ environments: ['staging'] }));
    expect(kinds(unnamed.apply([event(500, 0)], SEC))).toEqual(['incident.opened']);
  });

  it('matches on account for account issues, and ignores silences that are not active', () => {
    const store = new PolicyStore(
      parsePolicyConfig({
        silences: [
          { id: 'acme-billing', startsAt: T0, endsAt: T0 + 10 * MIN, accounts: ['acme'] },
          { id: 'later', startsAt: T0 + 60 * MIN, endsAt: T0 + 90 * MIN, accounts: ['globex'] },
        ],
      }),
    );
    store.apply([event(402, 0, { account: 'acme' }), event(402, 0, { account: 'globex' })], SEC);
    store.sweepEveryMinute(MIN + SEC, 12 * MIN);
    expect(store.sent.map((i) => [i.account, i.at, i.delayedBySilence])).toEqual([
      ['globex', new Date(T0 + MIN + SEC).toISOString(), undefined],
      ['acme', new Date(T0 + 10 * MIN + SEC).toISOString(), 'acme-billing'],
    ]);
  });
});

describe('policy engine: idempotency, outbox and size', () => {
  it('changes nothing and emits nothing when the same batch is applied again', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const batch: EventBatch = { batchId: 'sqs-1', receivedAt: T0, events: [event(500, 0), event(429, 0)] };
    store.applyBatch(batch, SEC);
    for (const key of scopeKeysOf([batch], DEFAULT_POLICY)) {
      expect(applyBatches(key, store.scope(key), [batch], T0 + 2 * SEC, DEFAULT_POLICY)).toEqual({
        intents: [],
      });
    }
  });

  it('applies a batch given twice in one call only once', () => {
    const batch: EventBatch = { batchId: 'b', receivedAt: T0, events: [event(429, 0)] };
    const [key] = scopeKeysOf([batch], DEFAULT_POLICY);
    const update = applyBatches(key as string, undefined, [batch, batch], T0, DEFAULT_POLICY);
    expect(update.state?.total).toBe(1);
  });

  it('returns no state for a scope none of the events belong to', () => {
    const batch: EventBatch = { batchId: 'b', receivedAt: T0, events: [event(429, 0)] };
    expect(applyBatches(INCIDENT_500, undefined, [batch], T0, DEFAULT_POLICY)).toEqual({ intents: [] });
  });

  it('forgets batch ids after the dedupe horizon and keeps at most maxBatchIds', () => {
    const config = parsePolicyConfig({ dedupe: { horizonSeconds: 3600, maxBatchIds: 3 } });
    const store = new PolicyStore(config);
    const key = 'count#429';
    const batches: EventBatch[] = Array.from({ length: 5 }, (_, i) => ({
      batchId: `b${i}`,
      receivedAt: T0 + i * MIN,
      events: [event(429, i * MIN)],
    }));
    for (const [i, batch] of batches.entries()) store.applyBatch(batch, i * MIN);
    const replay = (batch: EventBatch, now: number) =>
      applyBatches(key, store.scope(key), [batch], T0 + now, config);
    // The newest three are remembered; the two oldest were dropped by the cap and count again.
    for (const batch of batches.slice(2)) expect(replay(batch, 5 * MIN)).toEqual({ intents: [] });
    for (const batch of batches.slice(0, 2)) expect(replay(batch, 5 * MIN).state?.total).toBe(6);
    store.apply([event(429, 3 * 60 * MIN)], 3 * 60 * MIN, 'late');
    expect(store.scope(key).total).toBe(6);
    // Three hours on, only the batch applied then is within the one-hour horizon.
    for (const batch of batches) expect(replay(batch, 180 * MIN).state?.total).toBe(7);
    const late: EventBatch = { batchId: 'late', receivedAt: T0, events: [event(429, 0)] };
    expect(replay(late, 180 * MIN)).toEqual({ intents: [] });
  });

  it('remembers every batch of a busy scope up to maxBatchIds in a record of a few KB', () => {
    const config = parsePolicyConfig({ dedupe: { maxBatchIds: 256 } });
    const store = new PolicyStore(config);
    const batches: EventBatch[] = Array.from({ length: 300 }, (_, i) => ({
      batchId: `${'0123456789abcdef'.repeat(2)}-${i}`,
      receivedAt: T0 + i * 10 * SEC,
      events: [event(429, i * 10 * SEC), event(400, i * 10 * SEC)],
    }));
    for (const [i, batch] of batches.entries()) store.applyBatch(batch, i * 10 * SEC + SEC);
    const now = 300 * 10 * SEC;
    const counted = batches.map(
      (batch) =>
        applyBatches('count#429', store.scope('count#429'), [batch], T0 + now, config).state !== undefined,
    );
    expect(counted.lastIndexOf(true)).toBe(300 - 256 - 1);
    expect(counted.indexOf(false)).toBe(300 - 256);
    // 256 fingerprints of 12 characters plus a time mark every few minutes.
    expect(JSON.stringify(store.scope('count#429')).length).toBeLessThan(4000);
  });

  it('forgets settled batches when it writes the scope, and never applies or remembers them again', () => {
    const key = 'count#429';
    const [b1, b2, b3] = ['s-1', 's-2', 's-3'].map(
      (batchId, i): EventBatch => ({ batchId, receivedAt: T0 + i * SEC, events: [event(429, i * SEC)] }),
    ) as [EventBatch, EventBatch, EventBatch];
    const first = applyBatches(key, undefined, [b1], T0 + SEC, DEFAULT_POLICY).state as ScopeState;
    expect(rememberedFingerprints(first.recentBatches)).toEqual([batchFingerprint('s-1')]);
    const settled = new Set([batchFingerprint('s-1')]);

    const second = applyBatches(key, first, [b2], T0 + 2 * SEC, DEFAULT_POLICY, { settled })
      .state as ScopeState;
    const replayed = applyBatches(key, second, [b1, b3], T0 + 3 * SEC, DEFAULT_POLICY, { settled })
      .state as ScopeState;

    expect(rememberedFingerprints(second.recentBatches)).toEqual([batchFingerprint('s-2')]);
    expect(second.total).toBe(2);
    // The settled batch is skipped although the scope no longer remembers it, and not remembered again.
    expect(replayed.total).toBe(3);
    expect(rememberedFingerprints(replayed.recentBatches)).toEqual([
      batchFingerprint('s-2'),
      batchFingerprint('s-3'),
    ]);
    expect(applyBatches(key, replayed, [b1], T0 + 4 * SEC, DEFAULT_POLICY, { settled })).toEqual({
      intents: [],
    });
  });

  it('skips a settled batch even in a scope that never recorded it (a duplicate settled it meanwhile)', () => {
    const batch: EventBatch = { batchId: 'dup', receivedAt: T0, events: [event(500, 0)] };
    const settled = new Set([batchFingerprint('dup')]);
    expect(applyBatches(INCIDENT_500, undefined, [batch], T0, DEFAULT_POLICY, { settled })).toEqual({
      intents: [],
    });
  });

  it('keeps a hot scope small at any traffic when each batch is settled before the next', () => {
    const key = 'count#429';
    let state: ScopeState | undefined;
    const settled = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const batch: EventBatch = {
        batchId: `hot-${i}`,
        receivedAt: T0 + i * SEC,
        events: [event(429, i * SEC)],
      };
      state = applyBatches(key, state, [batch], T0 + i * SEC, DEFAULT_POLICY, { settled }).state;
      settled.add(batchFingerprint(batch.batchId));
    }
    expect(state?.total).toBe(1000);
    // One time mark and the batch still in flight.
    expect(state?.recentBatches).toHaveLength(24);
    // Far more batches than maxBatchIds, and yet every one of them is recognised.
    const replay: EventBatch = { batchId: 'hot-0', receivedAt: T0, events: [event(429, 0)] };
    expect(applyBatches(key, state, [replay], T0 + 1000 * SEC, DEFAULT_POLICY, { settled })).toEqual({
      intents: [],
    });
  });

  it('counts other errors per status without notifying or becoming due', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const events = [
      event(429, SEC, { account: 'acme', requestId: 'r2' }),
      event(429, 0, { account: 'acme', requestId: 'r1' }),
      event(429, 2 * SEC, { model: 'other', app: 'search', account: undefined, requestId: 'r3' }),
      event(404, 0),
    ];
    expect(store.apply(events, 3 * SEC)).toEqual([]);
    const counter = store.scope('count#429');
    expect(counter).toEqual({
      key: 'count#429',
      kind: 'counter',
      version: 1,
      status: 429,
      total: 3,
      firstSeen: T0,
      lastSeen: T0 + 2 * SEC,
      models: [MODEL, 'other'],
      accounts: ['acme'],
      apps: ['checkout', 'search'],
      sampleRequestIds: ['r1', 'r2', 'r3'],
      outbox: [],
      recentBatches: expect.stringMatching(/^~[0-9a-z]{11}[A-Za-z0-9_-]{12}$/),
    });
    expect(counter.nextDueAt).toBeUndefined();
    expect(store.scope('count#404').total).toBe(1);
  });

  it('bounds what a counter remembers: 20 models, accounts and apps, the 5 latest request ids', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const events = Array.from({ length: 50 }, (_, i) =>
      event(400, i * SEC, { model: `m${i}`, account: `a${i}`, app: `app${i}`, requestId: `r${i}` }),
    );
    store.apply(events, MIN);
    const counter = store.scope('count#400');
    if (counter.kind !== 'counter') throw new Error('expected a counter');
    expect(counter.total).toBe(50);
    expect(counter.models).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(counter.accounts).toHaveLength(20);
    expect(counter.apps).toHaveLength(20);
    expect(counter.sampleRequestIds).toEqual(['r45', 'r46', 'r47', 'r48', 'r49']);
  });

  it('keeps unpublished intents in the outbox, due for a retry, until they are marked published', () => {
    const store = new PolicyStore(DEFAULT_POLICY, false);
    const [opened] = store.apply([event(500, 0)], SEC);
    const state = store.scope(INCIDENT_500);
    expect(state.outbox).toEqual([opened]);
    expect(state.nextDueAt).toBe(T0 + SEC + 60 * SEC);
    expect(state.workDueAt).toBe(T0 + 15 * MIN);
    // A sweep while still unpublished schedules the next retry, without a new notification.
    const retry = sweepScope(state, T0 + 61 * SEC, DEFAULT_POLICY);
    expect(retry.intents).toEqual([]);
    expect(retry.state?.nextDueAt).toBe(T0 + 121 * SEC);
    const published = markPublished(state, [opened?.notificationId as string]);
    expect(published).toMatchObject({ outbox: [], nextDueAt: T0 + 15 * MIN, version: state.version + 1 });
    expect(markPublished(published, ['unknown'])).toBe(published);
  });

  it('supersedes an unpublished reminder with the next one instead of piling them up', () => {
    const store = new PolicyStore(DEFAULT_POLICY, false);
    for (let m = 0; m <= 180; m += 5) {
      store.apply([event(500, m * MIN)], m * MIN + SEC);
      store.sweep(m * MIN + 2 * SEC);
    }
    expect(kinds(store.scope(INCIDENT_500).outbox)).toEqual(['incident.opened', 'incident.reminder']);
  });

  it('takes over a record written before recentBatches, dropping its list of applied batches', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    const { recentBatches: _, ...rest } = store.scope(INCIDENT_500);
    const legacy = { ...rest, appliedBatches: [['1.2', T0]] } as unknown as ScopeState;
    const batch: EventBatch = { batchId: 'next', receivedAt: T0, events: [event(500, MIN)] };
    const update = applyBatches(INCIDENT_500, legacy, [batch], T0 + MIN, DEFAULT_POLICY);
    expect(update.state).not.toHaveProperty('appliedBatches');
    expect(update.state?.total).toBe(2);
    expect(applyBatches(INCIDENT_500, update.state, [batch], T0 + MIN, DEFAULT_POLICY)).toEqual({
      intents: [],
    });
  });

  it('writes nothing when a sweep finds a notice still held by the same silence', () => {
    const config = parsePolicyConfig({
      silences: [{ id: 'maintenance', startsAt: T0, endsAt: T0 + 60 * MIN, statuses: [500] }],
    });
    const store = new PolicyStore(config);
    store.apply([event(500, 0)], SEC);
    // The first look records which silence holds the opening notice; later ones change nothing.
    expect(sweepScope(store.scope(INCIDENT_500), T0 + 2 * SEC, config)).toEqual({ intents: [] });
    store.apply([event(500, SEC)], 2 * SEC);
    expect((store.scope(INCIDENT_500) as IncidentScope).current?.heldBy).toBe('maintenance');
    expect(sweepScope(store.scope(INCIDENT_500), T0 + 5 * MIN, config)).toEqual({ intents: [] });
  });

  it('returns no state from a sweep with nothing due', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], SEC);
    expect(sweepScope(store.scope(INCIDENT_500), T0 + 2 * MIN, DEFAULT_POLICY)).toEqual({ intents: [] });
  });

  it('writes one small record per scope for a storm of 10 000 events over 3 scopes', () => {
    const events = Array.from({ length: 10_000 }, (_, i) =>
      event([503, 500, 402][i % 3] as number, Math.floor(i / 10) * 300, {
        account: 'acme',
        requestId: `r${i}`,
        app: `app${i % 50}`,
      }),
    );
    const batch: EventBatch = { batchId: 'storm', receivedAt: T0, events };
    const keys = scopeKeysOf([batch], DEFAULT_POLICY);
    expect(keys).toHaveLength(3);
    const intents = [];
    for (const key of keys) {
      const update = applyBatches(key, undefined, [batch], T0 + 5 * MIN, DEFAULT_POLICY);
      intents.push(...update.intents);
      expect(JSON.stringify(update.state).length).toBeLessThan(20_000);
      expect(update.state?.total).toBeGreaterThan(3000);
    }
    expect(kinds(intents).sort()).toEqual(['incident.opened', 'incident.opened']);
  });

  it('gives the same notification ids for the same input', () => {
    const run = () => {
      const store = new PolicyStore(DEFAULT_POLICY);
      store.apply([event(503, 0, { id: 'a' }), event(503, 2 * MIN, { id: 'b' })], 2 * MIN, 'x');
      store.apply(
        [0, 1, 2, 3].map((i) => event(503, 2 * MIN + i * SEC, { id: `c${i}` })),
        3 * MIN,
        'y',
      );
      store.sweepEveryMinute(4 * MIN, 30 * MIN);
      return store.sent.map((i) => i.notificationId);
    };
    const first = run();
    expect(first).toHaveLength(2);
    expect(run()).toEqual(first);
  });

  it('increments the version on every change', () => {
    const store = new PolicyStore(DEFAULT_POLICY, false);
    store.apply([event(500, 0)], SEC);
    const v1 = store.scope(INCIDENT_500).version;
    store.apply([event(500, SEC)], 2 * SEC);
    expect(v1).toBe(1);
    expect(store.scope(INCIDENT_500).version).toBe(2);
  });
});
