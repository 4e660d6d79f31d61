import { queueLanesFromEnv } from '../../../functions/adapters/queue-lanes';
import { ConfigError } from '../../../functions/core/errors';

describe('queueLanesFromEnv', () => {
  it('uses one lane when no urgent queue is configured', () => {
    expect(queueLanesFromEnv({ EVENTS_QUEUE_URL: 'https://q/bulk' })).toEqual({ queueUrl: 'https://q/bulk' });
  });

  it('routes 500 to the urgent lane by default', () => {
    const lanes = queueLanesFromEnv({
      EVENTS_QUEUE_URL: 'https://q/bulk',
      URGENT_EVENTS_QUEUE_URL: 'https://q/u',
    });
    expect(lanes.urgent?.queueUrl).toBe('https://q/u');
    expect([...(lanes.urgent?.statuses ?? [])]).toEqual([500]);
  });

  it('reads the urgent statuses the stack copies from the policy', () => {
    const lanes = queueLanesFromEnv({
      EVENTS_QUEUE_URL: 'https://q/bulk',
      URGENT_EVENTS_QUEUE_URL: 'https://q/u',
      URGENT_STATUSES: '500, 501,599',
    });
    expect([...(lanes.urgent?.statuses ?? [])]).toEqual([500, 501, 599]);
  });

  it('names the variable when the bulk queue is missing', () => {
    expect(() => queueLanesFromEnv({})).toThrow('Missing required environment variable EVENTS_QUEUE_URL');
  });

  it.each(['abc', '500,', '5000', '500;501', '99'])(
    'rejects URGENT_STATUSES=%j with a ConfigError naming it',
    (text) => {
      const read = () =>
        queueLanesFromEnv({
          EVENTS_QUEUE_URL: 'https://q/bulk',
          URGENT_EVENTS_QUEUE_URL: 'https://q/u',
          URGENT_STATUSES: text,
        });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(/URGENT_STATUSES/);
    },
  );
});
