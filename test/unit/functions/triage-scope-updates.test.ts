import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { StateConflictError } from '../../../functions/adapters/state-repository';
import type { ScopeState } from '../../../functions/core/policy';
import type { NotificationIntent } from '../../../functions/core/policy/types';
import {
  conflictBackoff,
  deliverIntents,
  MAX_CONFLICT_RETRIES,
  type ScopeRepository,
  updateScope,
} from '../../../functions/triage/scope-updates';

function intent(notificationId: string, kind: NotificationIntent['kind']): NotificationIntent {
  return { notificationId, kind, topic: 'support' } as NotificationIntent;
}

/** Only the fields the delivery flow reads; the engine's markPublished does the rest. */
function scope(outbox: NotificationIntent[], version = 1): ScopeState {
  return {
    key: 'k',
    kind: 'counter',
    version,
    outbox,
    nextDueAt: 1,
    appliedBatches: {},
  } as unknown as ScopeState;
}

function fakeRepository(stored: ScopeState | undefined) {
  const saved: { state: ScopeState; expected: number | undefined }[] = [];
  const repository: ScopeRepository & { saved: typeof saved } = {
    saved,
    get: jest.fn(async () => stored),
    save: jest.fn(async (state: ScopeState, expected: number | undefined) => {
      if (expected !== stored?.version) throw new StateConflictError(state.key, expected);
      saved.push({ state, expected });
      stored = state;
    }),
  };
  return repository;
}

function deps(repository: ScopeRepository, publish: (intent: NotificationIntent) => Promise<string>) {
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  return {
    repository,
    notifier: { publish: jest.fn(publish) },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
  };
}

describe('deliverIntents', () => {
  it('stops at the first failed publish so a later notice never overtakes an earlier one', async () => {
    const opened = intent('n-1', 'incident.opened');
    const resolved = intent('n-2', 'incident.resolved');
    const state = scope([opened, resolved]);
    const d = deps(fakeRepository(state), async () => {
      throw new Error('SNS unavailable');
    });

    const result = await deliverIntents(state, [opened, resolved], d);

    expect(result).toEqual({ published: 0, rejected: 0, pending: 2 });
    expect(d.notifier.publish).toHaveBeenCalledTimes(1);
    expect(d.repository.save).not.toHaveBeenCalled();
  });

  it('removes what was published from the outbox of the newer state when the scope moved on', async () => {
    const opened = intent('n-1', 'incident.opened');
    const reminder = intent('n-2', 'incident.reminder');
    const newer = scope([opened, reminder], 2);
    const repository = fakeRepository(newer);
    const d = deps(repository, async () => 'mid');

    const result = await deliverIntents(scope([opened], 1), [opened], d);

    expect(result).toEqual({ published: 1, rejected: 0, pending: 0 });
    expect(repository.saved.map((s) => [s.expected, s.state.outbox])).toEqual([[2, [reminder]]]);
  });

  it('drops a notification SNS refuses as invalid, so it cannot block the notices after it', async () => {
    const broken = intent('n-1', 'incident.opened');
    const resolved = intent('n-2', 'incident.resolved');
    const state = scope([broken, resolved]);
    const repository = fakeRepository(state);
    const invalid = Object.assign(new Error('Invalid parameter: Subject'), {
      name: 'InvalidParameterException',
    });
    const d = deps(repository, async (i) => {
      if (i.notificationId === 'n-1') throw invalid;
      return 'mid';
    });
    const added = jest.spyOn(Metrics.prototype, 'addMetric');

    const result = await deliverIntents(state, [broken, resolved], d);

    expect(result).toEqual({ published: 1, rejected: 1, pending: 0 });
    expect(repository.saved.map((s) => s.state.outbox)).toEqual([[]]);
    expect(added).toHaveBeenCalledWith('NotificationsRejected', 'Count', 1);
  });
});

describe('deliverIntents: incident history', () => {
  const resolvedIntent = {
    ...intent('inc-1:3:resolved', 'incident.resolved'),
    at: '2026-11-25T15:20:00.000Z',
    subjectId: 'inc-1',
    status: 500,
    statusCounts: { '500': 2 },
    firstSeen: '2026-11-25T15:00:00.000Z',
    lastSeen: '2026-11-25T15:01:00.000Z',
    count: 2,
  } as NotificationIntent;

  it('keeps each resolve in the history before publishing it, even when the publish fails', async () => {
    const opened = intent('inc-1:1:opened', 'incident.opened');
    const state = scope([opened, resolvedIntent]);
    const history = { record: jest.fn(async () => undefined) };
    const d = {
      ...deps(fakeRepository(state), async () => {
        throw new Error('SNS unavailable');
      }),
      history,
    };

    await deliverIntents(state, [opened, resolvedIntent], d);

    expect(history.record).toHaveBeenCalledTimes(1);
    expect(history.record).toHaveBeenCalledWith(
      expect.objectContaining({ subjectId: 'inc-1', state: 'resolved', kind: 'incident', count: 2 }),
      Date.parse('2026-11-25T15:20:00.000Z'),
    );
  });

  it('still publishes when the history cannot be written', async () => {
    const state = scope([resolvedIntent]);
    const d = {
      ...deps(fakeRepository(state), async () => 'mid'),
      history: { record: jest.fn(async () => Promise.reject(new Error('throttled'))) },
    };
    const added = jest.spyOn(Metrics.prototype, 'addMetric');

    const result = await deliverIntents(state, [resolvedIntent], d);

    expect(result).toEqual({ published: 1, rejected: 0, pending: 0 });
    expect(added).toHaveBeenCalledWith('HistoryWriteFailures', 'Count', 1);
  });
});

describe('updateScope', () => {
  it('rethrows an error that is not a conflict without retrying', async () => {
    const repository = fakeRepository(undefined);
    (repository.save as jest.Mock).mockRejectedValue(new Error('throttled'));
    const apply = jest.fn(() => ({ state: scope([]), intents: [] }));

    await expect(updateScope('k', undefined, apply, repository)).rejects.toThrow('throttled');
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('writes nothing when the update changes nothing', async () => {
    const repository = fakeRepository(scope([]));

    const result = await updateScope('k', scope([]), () => ({ intents: [] }), repository);

    expect(result.intents).toEqual([]);
    expect(repository.save).not.toHaveBeenCalled();
  });

  it('waits longer before each reload of a lost race, and gives up after MAX_CONFLICT_RETRIES', async () => {
    const repository = fakeRepository(scope([], 5)); // every save below expects version 1: always loses
    const apply = jest.fn((current: ScopeState | undefined) => ({
      state: { ...(current ?? scope([])), version: (current?.version ?? 0) + 1 } as ScopeState,
      intents: [],
    }));
    (repository.get as jest.Mock).mockResolvedValue(scope([], 1));
    const pauses: number[] = [];

    await expect(
      updateScope('k', scope([], 1), apply, repository, async (attempt) => {
        pauses.push(attempt);
      }),
    ).rejects.toBeInstanceOf(StateConflictError);

    expect(pauses).toEqual(Array.from({ length: MAX_CONFLICT_RETRIES }, (_, attempt) => attempt));
    expect(repository.get).toHaveBeenCalledTimes(MAX_CONFLICT_RETRIES);
    expect(apply).toHaveBeenCalledTimes(MAX_CONFLICT_RETRIES + 1);
  });

  it('waits a random share of 10 ms × 2^attempt before a reload, at most 320 ms', async () => {
    jest.useFakeTimers();
    try {
      const waited = async (attempt: number) => {
        const done = jest.fn();
        void conflictBackoff(attempt, () => 0.5).then(done);
        let ms = 0;
        while (!done.mock.calls.length) {
          await jest.advanceTimersByTimeAsync(1);
          ms++;
        }
        return ms;
      };
      expect(await waited(0)).toBe(5);
      expect(await waited(2)).toBe(20);
      expect(await waited(10)).toBe(160);
    } finally {
      jest.useRealTimers();
    }
  });
});
