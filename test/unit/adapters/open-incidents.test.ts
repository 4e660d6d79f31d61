import {
  immediateScopeKey,
  OPEN_INCIDENT_CACHE_MS,
  OpenIncidents,
  RESOLVE_MARGIN_MS,
} from '../../../functions/adapters/open-incidents';
import type { TriageEvent } from '../../../functions/core/event';
import {
  applyBatches,
  DEFAULT_POLICY,
  describeScope,
  parsePolicyConfig,
  type ScopeState,
} from '../../../functions/core/policy';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const QUIET_S = DEFAULT_POLICY.incidents.resolveAfterQuietSeconds;
const MODEL = 'accounts/fireworks/models/deepseek-v3';

function e500(id: string, model: string | undefined = MODEL, at = T0): TriageEvent {
  return { id, status: 500, ...(model ? { model } : {}), occurredAt: new Date(at).toISOString() };
}

/** The immediate incident record the engine makes of a 500 at `at`, announced or held by a silence. */
function incidentAfter(at: number, policy = DEFAULT_POLICY): ScopeState {
  const event = e500('first', MODEL, at);
  const key = describeScope(event, policy).key;
  const update = applyBatches(
    key,
    undefined,
    [{ batchId: 'b', receivedAt: at, events: [event] }],
    at,
    policy,
  );
  return update.state as ScopeState;
}

function fakeRepository(records: Map<string, ScopeState>) {
  const calls: string[][] = [];
  return {
    calls,
    getMany: async (keys: readonly string[], options?: { consistent?: boolean }) => {
      expect(options?.consistent).toBe(false);
      calls.push([...keys]);
      return new Map([...records].filter(([key]) => keys.includes(key)));
    },
  };
}

describe('immediateScopeKey', () => {
  it.each([
    ['a model', { model: MODEL }],
    ['an endpoint', { endpoint: '/inference/v1/chat completions#x' }],
    ['neither', {}],
    ['both (the model wins)', { model: 'm#1 é', endpoint: '/e' }],
  ])('is the policy engine’s scope key for a 500 with %s', (_, fields) => {
    const event: TriageEvent = { id: 'x', status: 500, ...fields };
    expect(immediateScopeKey(event)).toBe(describeScope(event, DEFAULT_POLICY).key);
  });
});

describe('OpenIncidents.stillUrgent', () => {
  it('keeps a 500 urgent when no incident exists for its model', async () => {
    const repository = fakeRepository(new Map());
    const open = new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => T0 });
    expect(await open.stillUrgent([e500('a')])).toEqual([true]);
  });

  it('lets 500s of an announced, recently active incident take the bulk lane; other models stay urgent', async () => {
    const record = incidentAfter(T0);
    expect(record.kind === 'incident' && record.current?.announced).toBe(true);
    const repository = fakeRepository(new Map([[record.key, record]]));
    const open = new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => T0 + 60_000 });
    expect(await open.stillUrgent([e500('a'), e500('b', 'other-model'), e500('c')])).toEqual([
      false,
      true,
      false,
    ]);
    // One read for both keys.
    expect(repository.calls).toEqual([[record.key, immediateScopeKey(e500('b', 'other-model'))]]);
  });

  it('keeps 500s urgent once the incident is close enough to resolving that a bulk window could miss it', async () => {
    const record = incidentAfter(T0);
    const repository = fakeRepository(new Map([[record.key, record]]));
    const lastSafe = T0 + QUIET_S * 1000 - RESOLVE_MARGIN_MS;
    expect(
      await new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => lastSafe - 1 }).stillUrgent([
        e500('a'),
      ]),
    ).toEqual([false]);
    expect(
      await new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => lastSafe }).stillUrgent([
        e500('a'),
      ]),
    ).toEqual([true]);
  });

  it('keeps 500s urgent while a silence holds the opening back (nobody was told yet)', async () => {
    const policy = parsePolicyConfig({
      silences: [
        {
          id: 'maintenance',
          startsAt: new Date(T0 - 1000).toISOString(),
          endsAt: new Date(T0 + 3_600_000).toISOString(),
          statuses: [500],
        },
      ],
    });
    const record = incidentAfter(T0, policy);
    expect(record.kind === 'incident' && record.current?.announced).toBe(false);
    const repository = fakeRepository(new Map([[record.key, record]]));
    const open = new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => T0 + 1000 });
    expect(await open.stillUrgent([e500('a')])).toEqual([true]);
  });

  it('reads each incident at most once per cache period, and again after it', async () => {
    const record = incidentAfter(T0);
    const repository = fakeRepository(new Map([[record.key, record]]));
    let now = T0 + 1000;
    const open = new OpenIncidents({ repository, quietSeconds: QUIET_S, clock: () => now });
    await open.stillUrgent([e500('a')]);
    now += OPEN_INCIDENT_CACHE_MS - 1;
    await open.stillUrgent([e500('b')]);
    expect(repository.calls).toHaveLength(1);
    now += 1;
    await open.stillUrgent([e500('c')]);
    expect(repository.calls).toHaveLength(2);
  });

  it('keeps every 500 urgent when the state table cannot be read', async () => {
    const open = new OpenIncidents({
      repository: {
        getMany: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      },
      quietSeconds: QUIET_S,
      clock: () => T0,
    });
    expect(await open.stillUrgent([e500('a'), e500('b', undefined)])).toEqual([true, true]);
  });
});
