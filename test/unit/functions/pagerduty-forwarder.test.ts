import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSRecord } from 'aws-lambda';
import { PagerDutyEvents } from '../../../functions/adapters/pagerduty-events';
import { routingKeyOf, SecretRoutingKey } from '../../../functions/adapters/routing-key';
import type { NotificationIntent } from '../../../functions/core/policy/types';
import { type ForwarderDeps, forwardRecords } from '../../../functions/pagerduty/forwarder';
import { readRouting } from '../../../functions/pagerduty/wiring';
import { startLocalSecrets } from '../../../local/secrets-manager';
import { incidentOpened } from '../../helpers/notification-intent';

const ROUTING_KEY = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey12';

/** A local fake of the Events API v2: answers each request with the next scripted status (then 202). */
class FakeEventsApi {
  readonly received: Record<string, unknown>[] = [];
  private script: number[] = [];
  private server?: Server;
  url = '';

  answer(...statuses: number[]): void {
    this.script = statuses;
  }

  async start(): Promise<void> {
    const server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      req.on('end', () => {
        this.received.push(JSON.parse(text) as Record<string, unknown>);
        const status = this.script.shift() ?? 202;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            status === 202
              ? { status: 'success', message: 'Event processed', dedup_key: 'x' }
              : {
                  status: 'invalid event',
                  message: 'Event object is invalid',
                  errors: ['Length of summary'],
                },
          ),
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

function intent(overrides: Partial<NotificationIntent> = {}): NotificationIntent {
  return incidentOpened(overrides);
}

/** An SQS record as SNS (non-raw delivery) puts a notification on the forwarder's queue. */
function record(body: NotificationIntent | string, messageId = 'm-1'): SQSRecord {
  const message =
    typeof body === 'string'
      ? body
      : JSON.stringify({ ...body, runbookUrl: 'https://runbooks.example.com/500' });
  return {
    messageId,
    body: JSON.stringify({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:1:support',
      Message: message,
    }),
  } as SQSRecord;
}

describe('PagerDuty forwarder', () => {
  const api = new FakeEventsApi();
  let sent: Set<string>;
  let deadLetters: { body: string; reason: string }[];
  let logged: unknown[];
  let metricNames: string[];
  let deps: ForwarderDeps;

  beforeAll(() => api.start());
  afterAll(() => api.stop());

  beforeEach(() => {
    api.received.length = 0;
    api.answer();
    sent = new Set();
    deadLetters = [];
    logged = [];
    metricNames = [];
    const log = (...args: unknown[]) => {
      logged.push(args);
    };
    const metrics = {
      addMetric: (name: string) => metricNames.push(name),
      singleMetric: () => ({ addDimension: () => ({ addMetric: (name: string) => metricNames.push(name) }) }),
    };
    deps = {
      routing: { topics: ['support'], severities: ['critical', 'high'] },
      events: new PagerDutyEvents({
        url: api.url,
        routingKey: async () => ROUTING_KEY,
        attempts: 3,
        sleep: async () => undefined,
      }),
      deliveries: {
        wasSent: async (id) => sent.has(id),
        markSent: async (id) => {
          sent.add(id);
        },
      },
      deadLetters: {
        put: async (body, reason) => {
          deadLetters.push({ body, reason });
        },
      },
      logger: { info: log, error: log, warn: log } as unknown as Logger,
      metrics: metrics as unknown as Metrics,
      clock: () => Date.parse('2026-11-25T15:00:01Z'),
    };
  });

  it('sends a trigger with the routing key, the subject id as dedup_key and the runbook link', async () => {
    const result = await forwardRecords([record(intent())], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(api.received).toHaveLength(1);
    expect(api.received[0]).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'inc-1',
      payload: { summary: expect.stringContaining('500 Internal Server Error'), severity: 'critical' },
      links: expect.arrayContaining([{ href: 'https://runbooks.example.com/500', text: 'Runbook' }]),
    });
    expect(sent).toEqual(new Set(['inc-1:1:opened']));
    expect(metricNames).toContain('PagerDutyEventsSent');
  });

  it('resolves with the same dedup_key', async () => {
    await forwardRecords([record(intent())], deps);
    await forwardRecords(
      [record(intent({ kind: 'incident.resolved', notificationId: 'inc-1:2:resolved' }), 'm-2')],
      deps,
    );

    expect(api.received.map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', 'inc-1'],
      ['resolve', 'inc-1'],
    ]);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    api.answer(429, 503);
    const waits: number[] = [];
    deps = {
      ...deps,
      events: new PagerDutyEvents({
        url: api.url,
        routingKey: async () => ROUTING_KEY,
        backoffMs: 100,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    };

    const result = await forwardRecords([record(intent())], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(api.received).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    expect(sent.size).toBe(1);
  });

  it('reports a message whose every attempt failed as a batch item failure, for SQS to retry', async () => {
    api.answer(500, 502, 503);

    const result = await forwardRecords([record(intent())], deps);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(api.received).toHaveLength(3);
    expect(sent.size).toBe(0);
    expect(deadLetters).toEqual([]);
    expect(metricNames).toContain('PagerDutyDeliveryFailures');
  });

  it('retries network errors too', async () => {
    deps = {
      ...deps,
      events: new PagerDutyEvents({
        url: 'http://127.0.0.1:1/v2/enqueue',
        routingKey: async () => ROUTING_KEY,
        sleep: async () => undefined,
      }),
    };

    const result = await forwardRecords([record(intent())], deps);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });

  it('moves an event PagerDuty rejects (400) to the dead-letter queue at once, counted and never retried', async () => {
    api.answer(400);

    const result = await forwardRecords([record(intent())], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(api.received).toHaveLength(1);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.reason).toContain(
      'PagerDuty rejected the trigger event (400): Event object is invalid',
    );
    expect(metricNames).toContain('PagerDutyRejected');
    expect(sent.size).toBe(0);
  });

  it('never sends one transition twice when SNS or SQS redelivers it', async () => {
    await forwardRecords([record(intent(), 'm-1'), record(intent(), 'm-2')], deps);
    await forwardRecords([record(intent(), 'm-3')], deps);

    expect(api.received).toHaveLength(1);
    expect(metricNames.filter((name) => name === 'PagerDutyDuplicatesIgnored')).toHaveLength(2);
  });

  it('skips topics and severities that are not forwarded', async () => {
    await forwardRecords(
      [
        record(intent({ topic: 'account', kind: 'account-issue.opened' })),
        record(intent({ severity: 'info' }), 'm-2'),
      ],
      deps,
    );

    expect(api.received).toEqual([]);
  });

  it('moves a message that is not a notification to the dead-letter queue', async () => {
    const result = await forwardRecords([record('{"hello": 1}')], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters[0]?.reason).toMatch(/^not a notification: /);
  });

  it('never logs the routing key', async () => {
    api.answer(400);
    await forwardRecords([record(intent())], deps);
    api.answer(500, 500, 500);
    await forwardRecords([record(intent(), 'm-2')], deps);

    expect(JSON.stringify(logged)).not.toContain(ROUTING_KEY);
    expect(JSON.stringify(deadLetters)).not.toContain(ROUTING_KEY);
  });
});

describe('SecretRoutingKey', () => {
  it('reads the key from Secrets Manager once, then from its cache until it expires', async () => {
    const secrets = await startLocalSecrets({
      'triage/pagerduty': JSON.stringify({ routingKey: ROUTING_KEY }),
    });
    try {
      const client = new SecretsManagerClient({
        endpoint: secrets.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const send = jest.spyOn(client, 'send');
      let now = 0;
      const key = new SecretRoutingKey('triage/pagerduty', { client, cacheMs: 1000, clock: () => now });

      expect(await key.get()).toBe(ROUTING_KEY);
      expect(await key.get()).toBe(ROUTING_KEY);
      now = 1000;
      expect(await key.get()).toBe(ROUTING_KEY);
      expect(send).toHaveBeenCalledTimes(2);
      await expect(new SecretRoutingKey('missing', { client }).get()).rejects.toThrow(/can't find/);
    } finally {
      await secrets.stop();
    }
  });
});

describe('routingKeyOf', () => {
  it('reads the key as plain text or as {"routingKey": …}', () => {
    expect(routingKeyOf(` ${ROUTING_KEY}\n`)).toBe(ROUTING_KEY);
    expect(routingKeyOf(JSON.stringify({ routingKey: ROUTING_KEY }))).toBe(ROUTING_KEY);
  });

  it('refuses anything else without repeating the secret', () => {
    expect(() => routingKeyOf('not a key, just words')).toThrow(/must hold the integration \(routing\) key/);
    let message = '';
    try {
      routingKeyOf('{"other": "s3cr3t-value with spaces"}');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/routing\) key/);
    expect(message).not.toContain('s3cr3t');
  });
});

describe('readRouting (PAGERDUTY_ROUTING)', () => {
  it('reads the topics and severities, with their defaults', () => {
    expect(readRouting({ PAGERDUTY_ROUTING: '{"severities": ["critical"]}' })).toEqual({
      topics: ['support'],
      severities: ['critical'],
    });
  });

  it('fails at cold start naming the variable when it is missing, not JSON or not a routing', () => {
    expect(() => readRouting({})).toThrow('Missing required environment variable PAGERDUTY_ROUTING');
    expect(() => readRouting({ PAGERDUTY_ROUTING: '{' })).toThrow(/PAGERDUTY_ROUTING is not JSON/);
    expect(() => readRouting({ PAGERDUTY_ROUTING: '{"topics": ["billing"]}' })).toThrow(
      /PAGERDUTY_ROUTING: topics.0: expected "support" or "account"/,
    );
  });
});
