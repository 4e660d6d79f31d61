import fc from 'fast-check';
import {
  applyBatches,
  DEFAULT_POLICY,
  type EventBatch,
  type NotificationIntent,
  parsePolicyConfig,
  type ScopeState,
  scopeKeysOf,
  simulate,
} from '../../../../functions/core/policy';
import { event, MIN, PolicyStore, SEC, T0 } from './policy-harness';

/** A random stretch of traffic: bursts of errors (some late, some early), sweeps and time passing. */
const step = fc.oneof(
  fc.record({
    type: fc.constant('events' as const),
    count: fc.integer({ min: 1, max: 40 }),
    status: fc.constantFrom(500, 502, 503, 504, 402, 401, 412, 429),
    model: fc.constantFrom('m1', 'm2'),
    account: fc.constantFrom('acme', 'globex', undefined),
    app: fc.constantFrom('checkout', 'search', 'batch'),
    spreadSeconds: fc.integer({ min: 0, max: 600 }),
    lateSeconds: fc.integer({ min: -400, max: 1200 }),
  }),
  fc.record({ type: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 90 }) }),
  fc.record({ type: fc.constant('replay' as const), pick: fc.nat() }),
);

const configs = fc.constantFrom(
  DEFAULT_POLICY,
  parsePolicyConfig({
    incidents: { persistence: { minErrors: 2, windowSeconds: 120, minSpanSeconds: 10 } },
    silences: [{ id: 's', startsAt: T0 + 30 * MIN, endsAt: T0 + 150 * MIN, apps: ['batch', 'search'] }],
  }),
);

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

interface Run {
  readonly store: PolicyStore;
  readonly batches: EventBatch[];
  readonly now: number;
}

/** Play the steps: each batch is applied when received, and due scopes are swept every minute. */
function play(
  steps: readonly Step[],
  store: PolicyStore,
  check: (run: Run) => void = () => {},
  drain = true,
): Run {
  const batches: EventBatch[] = [];
  let now = 0;
  const tick = (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      now += MIN;
      store.sweep(now);
    }
  };
  for (const s of steps) {
    if (s.type === 'advance') tick(s.minutes);
    else if (s.type === 'replay') {
      const batch = batches[s.pick % Math.max(1, batches.length)];
      if (batch) store.applyBatch(batch, now);
    } else {
      now += SEC;
      const events = Array.from({ length: s.count }, (_, i) =>
        event(s.status, now - s.lateSeconds * SEC - Math.floor((s.spreadSeconds * SEC * i) / s.count), {
          model: s.model,
          account: s.account,
          app: s.app,
        }),
      );
      const batch = { batchId: `b${batches.length}`, receivedAt: T0 + now, events };
      batches.push(batch);
      store.applyBatch(batch, now);
    }
    check({ store, batches, now });
  }
  if (drain) tick(26 * 60); // long enough for every incident and group to resolve
  return { store, batches, now };
}

/**
 * Paths where `value` is not what JSON gives back: records are stored, and intents published, as JSON. An
 * optional field may hold `undefined` (JSON leaves the key out, the same as absent); anything else JSON
 * would change (an `undefined` in an array, NaN, a Map) is reported.
 */
function notJsonPaths(value: unknown, path = '$'): string[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) {
    return value.flatMap((inner, i) =>
      inner === undefined ? [`${path}[${i}]`] : notJsonPaths(inner, `${path}[${i}]`),
    );
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return [path];
  return Object.entries(value).flatMap(([key, inner]) =>
    inner === undefined ? [] : notJsonPaths(inner, `${path}.${key}`),
  );
}

function lifecycleViolations(intents: readonly NotificationIntent[]): string[] {
  const open = new Map<string, string>();
  const problems: string[] = [];
  for (const intent of intents) {
    const current = open.get(intent.scopeKey);
    if (intent.kind.endsWith('.opened')) {
      if (current) problems.push(`${intent.notificationId} opened while ${current} is open`);
      open.set(intent.scopeKey, intent.subjectId);
    } else if (current !== intent.subjectId) {
      problems.push(`${intent.notificationId} (${intent.kind}) for a subject that is not open`);
    } else if (intent.kind.endsWith('.resolved')) open.delete(intent.scopeKey);
  }
  for (const [scope, subject] of open) problems.push(`${subject} in ${scope} never resolved`);
  return problems;
}

describe('policy engine invariants', () => {
  it('keeps at most one open incident or group per scope, and resolves every one it announced', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), configs, (steps, config) => {
        const { store } = play(steps, new PolicyStore(config));
        expect(lifecycleViolations(store.sent)).toEqual([]);
        for (const state of store.states.values()) expect(state.nextDueAt).toBeUndefined();
        expect(notJsonPaths([...store.states.values(), ...store.sent])).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('notifies each transition exactly once: notification ids never repeat', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), configs, (steps, config) => {
        const { store } = play(steps, new PolicyStore(config));
        const ids = store.sent.map((i) => i.notificationId);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 150 },
    );
  });

  it('changes nothing and emits nothing when any batch applied within the dedupe horizon is applied again', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), configs, (steps, config) => {
        const store = new PolicyStore(config);
        play(
          steps,
          store,
          ({ batches, now }) => {
            // Batch ids are remembered for the horizon (2 h by default), long enough for SQS redelivery.
            const horizon = T0 + now - config.dedupe.horizonSeconds * SEC;
            for (const batch of batches.filter((b) => b.receivedAt > horizon)) {
              for (const key of scopeKeysOf([batch], config)) {
                const update = applyBatches(key, store.states.get(key), [batch], T0 + now, config);
                expect(update).toEqual({ intents: [] });
              }
            }
          },
          false,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the outbox due for a retry while notifications are unpublished', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), configs, (steps, config) => {
        const store = new PolicyStore(config, false);
        play(
          steps,
          store,
          ({ now }) => {
            for (const state of store.states.values()) {
              if (state.outbox.length > 0) {
                expect(state.nextDueAt).toBeLessThanOrEqual(T0 + now + config.outboxRetrySeconds * SEC);
              }
            }
          },
          false,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('sends the same notifications for a storm whatever its size, with records that stay small', () => {
    const notificationsFor = (size: number) => {
      const store = new PolicyStore(DEFAULT_POLICY);
      // Spread evenly over 20 minutes, a third each on 503, 500 and 402.
      const events = Array.from({ length: size }, (_, i) =>
        event([503, 500, 402][i % 3] as number, Math.floor((i * 20 * MIN) / size), {
          account: 'acme',
          app: `app-${i % 37}`,
          requestId: `req-${i}`,
        }),
      );
      let biggest = 0;
      // Delivered as the queue would: every minute, that minute's events in messages of at most 500.
      for (let minute = 1; minute <= 20; minute++) {
        const now = minute * MIN;
        const due = events.filter(
          (e) =>
            Date.parse(e.occurredAt as string) < T0 + now &&
            Date.parse(e.occurredAt as string) >= T0 + now - MIN,
        );
        store.sweep(now);
        for (let i = 0; i < due.length; i += 500) store.apply(due.slice(i, i + 500), now);
        for (const state of store.states.values()) {
          biggest = Math.max(biggest, JSON.stringify(state satisfies ScopeState).length);
        }
      }
      store.sweepEveryMinute(21 * MIN, 120 * MIN);
      return { kinds: store.sent.map((i) => `${i.scopeKey} ${i.kind} ${i.at}`), biggest };
    };
    const baseline = notificationsFor(300);
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 20_000 }), (size) => {
        const storm = notificationsFor(size);
        expect(storm.kinds).toEqual(baseline.kinds);
        expect(storm.biggest).toBeLessThan(40_000);
      }),
      { numRuns: 10 },
    );
    // Opened ×3, one account-issue update (its count doubled; the next doubling never comes), resolved ×3.
    expect(baseline.kinds).toHaveLength(7);
  });

  it('simulates a storm of 100 000 errors into a handful of notifications', () => {
    const events = Array.from({ length: 100_000 }, (_, i) =>
      event(503, Math.floor((i * 30 * MIN) / 100_000), { requestId: `r${i}` }),
    );
    const result = simulate(events, DEFAULT_POLICY);
    expect(result.intents.map((i) => i.kind)).toEqual(['incident.opened', 'incident.resolved']);
    expect(result.intents[1]?.count).toBe(100_000);
  });
});
