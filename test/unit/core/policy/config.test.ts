import { ConfigError } from '../../../../functions/core/errors';
import { DEFAULT_POLICY, parsePolicyConfig } from '../../../../functions/core/policy';

function messageOf(input: unknown): string {
  try {
    parsePolicyConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parsePolicyConfig', () => {
  it('fills every documented default from an empty object', () => {
    expect(DEFAULT_POLICY).toEqual({
      incidents: {
        immediateStatuses: [500],
        persistence: { minErrors: 5, windowSeconds: 600, minSpanSeconds: 120 },
        reminderIntervalSeconds: 3600,
        resolveAfterQuietSeconds: 900,
      },
      accountIssues: {
        statuses: [401, 402, 403, 412],
        groupWaitSeconds: 60,
        updateIntervalSeconds: 900,
        updateGrowthFactor: 2,
        reminderIntervalSeconds: 86_400,
        resolveAfterQuietSeconds: 3600,
      },
      silences: [],
      clockSkewSeconds: 300,
      outboxRetrySeconds: 60,
      dedupe: { horizonSeconds: 7200, maxBatchIds: 4096 },
    });
  });

  it('keeps defaults for the keys a partial config leaves out', () => {
    const config = parsePolicyConfig({ incidents: { persistence: { minErrors: 3 } } });
    expect(config.incidents.persistence).toEqual({ minErrors: 3, windowSeconds: 600, minSpanSeconds: 120 });
    expect(config.accountIssues.groupWaitSeconds).toBe(60);
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(DEFAULT_POLICY.incidents.persistence)).toBe(true);
  });

  it('parses silence times to epoch milliseconds and accepts its own output again', () => {
    const config = parsePolicyConfig({
      silences: [
        {
          id: 'deploy',
          startsAt: '2026-11-25T15:00:00Z',
          endsAt: '2026-11-25T17:00:00+01:00',
          models: ['m'],
        },
      ],
    });
    expect(config.silences[0]).toMatchObject({
      startsAt: Date.UTC(2026, 10, 25, 15),
      endsAt: Date.UTC(2026, 10, 25, 16),
    });
    expect(parsePolicyConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    const backwards = { ...config.silences[0], endsAt: config.silences[0]?.startsAt };
    expect(messageOf({ silences: [backwards] })).toContain(
      'silences[0].endsAt: expected endsAt after startsAt',
    );
    const ok = { id: 'x', startsAt: 1, endsAt: 2, apps: ['a'] };
    expect(parsePolicyConfig(JSON.parse(JSON.stringify({ silences: [ok] }))).silences[0]).toMatchObject(ok);
  });

  it.each([
    [
      { incidents: { persistence: { minErrors: 0 } } },
      'incidents.persistence.minErrors: expected an integer ≥ 1',
    ],
    [
      { incidents: { persistence: { minErrors: 2.5 } } },
      'incidents.persistence.minErrors: expected an integer ≥ 1',
    ],
    [{ incidents: { persistance: {} } }, 'incidents.persistance: unknown key'],
    [{ typo: 1 }, 'typo: unknown key'],
    [
      { accountIssues: { groupWaitSeconds: -1 } },
      'accountIssues.groupWaitSeconds: expected an integer number of seconds ≥ 0',
    ],
    [
      { accountIssues: { statuses: [500] } },
      'accountIssues.statuses[0]: expected 4xx status codes (400–499)',
    ],
    [
      { incidents: { immediateStatuses: [404] } },
      'incidents.immediateStatuses[0]: expected 5xx status codes (500–599)',
    ],
    [
      { incidents: { persistence: { windowSeconds: 60 } } },
      'incidents.persistence.minSpanSeconds: expected minSpanSeconds ≤ windowSeconds',
    ],
    [
      { incidents: { resolveAfterQuietSeconds: 60 } },
      'incidents.resolveAfterQuietSeconds: expected resolveAfterQuietSeconds ≥ persistence.windowSeconds',
    ],
    [{ dedupe: { maxBatchIds: '10' } }, 'dedupe.maxBatchIds: expected an integer ≥ 1'],
    [{ outboxRetrySeconds: 0 }, 'outboxRetrySeconds: expected an integer number of seconds ≥ 1'],
    [{ silences: {} }, 'silences: expected an array of silences'],
    [
      { silences: [{ id: 's', startsAt: 'yesterday', endsAt: '2026-11-25T15:00:00Z', apps: ['a'] }] },
      'silences[0].startsAt: expected an ISO-8601 date-time',
    ],
    [
      { silences: [{ id: 's', startsAt: '2026-11-25T15:00:00Z', endsAt: '2026-11-25T16:00:00Z' }] },
      'silences[0]: expected at least one of statuses, models, accounts, apps',
    ],
    [
      {
        silences: [
          { id: 's', startsAt: 1, endsAt: 2, apps: ['a'] },
          { id: 's', startsAt: 1, endsAt: 2, apps: ['b'] },
        ],
      },
      'silences: expected unique silence ids',
    ],
    ['{}', '(config): expected an object'],
    [null, '(config): expected an object'],
  ])('rejects %j naming the key', (input, expected) => {
    expect(messageOf(input)).toContain(expected);
  });

  it('lists every bad key with its path in the error details', () => {
    try {
      parsePolicyConfig({ incidents: { reminderIntervalSeconds: 0 }, clockSkewSeconds: 'x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).details.map((d) => d.path).sort()).toEqual([
        'clockSkewSeconds',
        'incidents.reminderIntervalSeconds',
      ]);
    }
  });
});
