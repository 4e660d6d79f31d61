import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import type { SQSRecord } from 'aws-lambda';
import { Notifier, TopicRepublisher } from '../../../functions/adapters/notifier';
import { type RelayDeps, relayRecords } from '../../../functions/chat-relay/relay';
import { readRoutes } from '../../../functions/chat-relay/wiring';
import { ConfigError } from '../../../functions/core/errors';
import type { NotificationIntent } from '../../../functions/core/policy/types';
import { incidentOpened } from '../../helpers/notification-intent';

const SOURCE_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:support-escalations';
const PAGER_QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:pager-queue';
const PAGER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:pager-topic';
const BILLING_QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:billing-queue';
const BILLING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:billing-topic';
const RUNBOOKS = {
  default: 'https://runbooks.example.com/fireworks',
  byStatus: { '500': 'https://runbooks.example.com/500' },
};

function intent(overrides: Partial<NotificationIntent> = {}): NotificationIntent {
  return incidentOpened({
    statusCounts: { '500': 3 },
    resolution: 'Retry later; contact support if it persists.',
    scope: { rule: 'immediate', model: 'accounts/acme/models/m' },
    model: 'accounts/acme/models/m',
    account: 'acme',
    apps: ['checkout'],
    count: 3,
    newSinceLast: 3,
    firstSeen: '2026-11-25T14:59:00.000Z',
    sampleRequestIds: ['req-1'],
    ...overrides,
  });
}

/** An SNS client that records each publish and answers (or fails) as scripted. */
function recordingClient(fail: (input: PublishCommandInput) => boolean = () => false) {
  const published: PublishCommandInput[] = [];
  const client = {
    send: async (command: PublishCommand) => {
      if (fail(command.input)) throw new Error('KMSAccessDeniedException: not authorised');
      published.push(command.input);
      return { MessageId: `msg-${published.length}` };
    },
  } as unknown as SNSClient;
  return { client, published };
}

/** What the triage function publishes for `notification` to the source topic (the Notifier, runbooks on). */
async function originalPublish(notification: NotificationIntent): Promise<PublishCommandInput> {
  const { client, published } = recordingClient();
  await new Notifier({
    topicArns: { support: SOURCE_TOPIC, account: SOURCE_TOPIC },
    snsClient: client,
    runbooks: RUNBOOKS,
  }).publish(notification);
  return published[0] as PublishCommandInput;
}

/** The record SQS hands the relay: the SNS envelope (raw delivery off) of the `default` message. */
function record(original: PublishCommandInput, queueArn: string, messageId: string): SQSRecord {
  const document = JSON.parse(original.Message as string) as { default: string };
  return {
    messageId,
    eventSourceARN: queueArn,
    body: JSON.stringify({
      Type: 'Notification',
      MessageId: `sns-${messageId}`,
      TopicArn: SOURCE_TOPIC,
      Subject: original.Subject,
      Message: document.default,
      MessageAttributes: Object.fromEntries(
        Object.entries(original.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { Type: 'String', Value: v.StringValue },
        ]),
      ),
    }),
  } as SQSRecord;
}

/** A publish with each JSON-in-JSON message parsed, for comparison regardless of key order. */
function comparable(input: PublishCommandInput) {
  const document = JSON.parse(input.Message as string) as Record<string, string>;
  return {
    ...input,
    Message: {
      default: JSON.parse(document.default as string),
      email: document.email,
      sms: document.sms,
      https: JSON.parse(document.https as string),
    },
  };
}

/** Delivery records in memory, as the state table keeps them (one key per channel and notification). */
function memoryDeliveries() {
  const sent = new Map<string, string>();
  return {
    sent,
    wasSent: async (id: string) => sent.has(id),
    markSent: async (id: string, action: string) => {
      sent.set(id, action);
    },
  };
}

describe('chat relay', () => {
  let logged: { level: string; message: string; details: unknown }[];
  let metricNames: string[];
  let deliveries: ReturnType<typeof memoryDeliveries>;
  const deps = (publisher: RelayDeps['publisher']): RelayDeps => ({
    routes: readRoutes({
      CHAT_CHANNEL_0_NAME: 'pager',
      CHAT_CHANNEL_0_QUEUE_ARN: PAGER_QUEUE,
      CHAT_CHANNEL_0_TOPIC_ARN: PAGER_TOPIC,
      CHAT_CHANNEL_1_NAME: 'billing',
      CHAT_CHANNEL_1_QUEUE_ARN: BILLING_QUEUE,
      CHAT_CHANNEL_1_TOPIC_ARN: BILLING_TOPIC,
    }),
    publisher,
    deliveries,
    clock: () => Date.UTC(2026, 10, 25, 15, 0, 0),
    logger: {
      info: (message: string, details: unknown) => logged.push({ level: 'info', message, details }),
      error: (message: string, details: unknown) => logged.push({ level: 'error', message, details }),
    } as unknown as Logger,
    metrics: { addMetric: (name: string) => metricNames.push(name) } as unknown as Metrics,
  });

  beforeEach(() => {
    logged = [];
    metricNames = [];
    deliveries = memoryDeliveries();
  });

  it('relays a redelivered message once per channel, and records a delivery only after its publish', async () => {
    const opened = await originalPublish(intent());
    const { client, published } = recordingClient();
    const relay = (messageId: string, queue: string) =>
      relayRecords([record(opened, queue, messageId)], deps(new TopicRepublisher(client)));
    expect(await relay('m-1', PAGER_QUEUE)).toEqual({ batchItemFailures: [] });
    expect(await relay('m-1-again', PAGER_QUEUE)).toEqual({ batchItemFailures: [] });
    // The same notification to another filtered channel is that channel's own delivery.
    expect(await relay('m-2', BILLING_QUEUE)).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.TopicArn)).toEqual([PAGER_TOPIC, BILLING_TOPIC]);
    expect([...deliveries.sent]).toEqual([
      ['pager#inc-1:1:opened', 'incident.opened'],
      ['billing#inc-1:1:opened', 'incident.opened'],
    ]);
    expect(logged.map((l) => l.message)).toContain(
      'already relayed to this chat channel; redelivery ignored',
    );

    const failing = recordingClient(() => true);
    const again = await originalPublish(intent({ notificationId: 'inc-3:1:opened', subjectId: 'inc-3' }));
    await relayRecords([record(again, PAGER_QUEUE, 'm-3')], deps(new TopicRepublisher(failing.client)));
    expect(deliveries.sent.has('pager#inc-3:1:opened')).toBe(false);
  });

  it("publishes each notification to its channel's topic with the same per-protocol document, subject and attributes", async () => {
    const opened = await originalPublish(intent());
    const resolved = await originalPublish(
      intent({ notificationId: 'inc-1:2:resolved', kind: 'incident.resolved', topic: 'account' }),
    );
    const { client, published } = recordingClient();
    const result = await relayRecords(
      [record(opened, PAGER_QUEUE, 'm-1'), record(resolved, BILLING_QUEUE, 'm-2')],
      deps(new TopicRepublisher(client)),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.TopicArn)).toEqual([PAGER_TOPIC, BILLING_TOPIC]);
    expect(comparable(published[0] as PublishCommandInput)).toEqual({
      ...comparable(opened),
      TopicArn: PAGER_TOPIC,
    });
    expect(comparable(published[1] as PublishCommandInput)).toEqual({
      ...comparable(resolved),
      TopicArn: BILLING_TOPIC,
    });
    // What Chatbot's https subscription reads: the custom-notification format, runbook link included.
    const chat = comparable(published[0] as PublishCommandInput).Message.https as Record<string, unknown>;
    expect(chat).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: 'inc-1' } });
    expect(JSON.stringify(chat)).toContain('https://runbooks.example.com/500');
    expect(metricNames).toEqual(['ChatNotificationsRelayed', 'ChatNotificationsRelayed']);
  });

  it('reports a failed publish as a batch item failure, and relays the rest of the batch', async () => {
    const first = await originalPublish(intent());
    const second = await originalPublish(intent({ notificationId: 'inc-2:1:opened', subjectId: 'inc-2' }));
    const { client, published } = recordingClient((input) => input.TopicArn === PAGER_TOPIC);
    const result = await relayRecords(
      [record(first, PAGER_QUEUE, 'm-1'), record(second, BILLING_QUEUE, 'm-2')],
      deps(new TopicRepublisher(client)),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(published.map((p) => p.TopicArn)).toEqual([BILLING_TOPIC]);
    expect(metricNames.sort()).toEqual(['ChatNotificationsRelayed', 'ChatRelayFailures']);
    expect(logged.find((l) => l.level === 'error')?.details).toMatchObject({
      messageId: 'm-1',
      error: expect.stringContaining('KMSAccessDeniedException'),
    });
  });

  it('fails a message that is not a notification, or comes from a queue of no channel, and publishes nothing', async () => {
    const valid = await originalPublish(intent());
    const notJson = { ...record(valid, PAGER_QUEUE, 'm-1'), body: 'hello' } as SQSRecord;
    const notANotification = {
      ...record(valid, PAGER_QUEUE, 'm-2'),
      body: JSON.stringify({ Type: 'Notification', Message: '{"kind":"incident.opened"}' }),
    } as SQSRecord;
    const strayQueue = record(valid, 'arn:aws:sqs:eu-west-1:123456789012:other', 'm-3');
    const { client, published } = recordingClient();
    const result = await relayRecords(
      [notJson, notANotification, strayQueue],
      deps(new TopicRepublisher(client)),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(published).toEqual([]);
    const errors = logged
      .filter((l) => l.level === 'error')
      .map((l) => (l.details as { error: string }).error);
    expect(errors[0]).toMatch(/not a notification: not JSON/);
    expect(errors[1]).toMatch(/not a notification: not a notification: notificationId/);
    expect(errors[2]).toBe('no chat channel has the queue arn:aws:sqs:eu-west-1:123456789012:other');
  });
});

describe('readRoutes', () => {
  it('reads the channels by queue ARN until the first missing index', () => {
    const routes = readRoutes({
      CHAT_CHANNEL_0_NAME: 'pager',
      CHAT_CHANNEL_0_QUEUE_ARN: PAGER_QUEUE,
      CHAT_CHANNEL_0_TOPIC_ARN: PAGER_TOPIC,
      CHAT_CHANNEL_2_QUEUE_ARN: BILLING_QUEUE,
      CHAT_CHANNEL_2_TOPIC_ARN: BILLING_TOPIC,
    });
    expect([...routes.values()]).toEqual([{ name: 'pager', queueArn: PAGER_QUEUE, topicArn: PAGER_TOPIC }]);
  });

  it.each([
    [{}, 'Missing required environment variable CHAT_CHANNEL_0_QUEUE_ARN'],
    [
      { CHAT_CHANNEL_0_QUEUE_ARN: PAGER_QUEUE },
      'CHAT_CHANNEL_0_TOPIC_ARN: expected an SNS topic ARN, got ""',
    ],
    [
      {
        CHAT_CHANNEL_0_QUEUE_ARN: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
        CHAT_CHANNEL_0_TOPIC_ARN: PAGER_TOPIC,
      },
      'CHAT_CHANNEL_0_QUEUE_ARN: expected an SQS queue ARN',
    ],
    [
      { CHAT_CHANNEL_0_QUEUE_ARN: PAGER_QUEUE, CHAT_CHANNEL_0_TOPIC_ARN: PAGER_QUEUE },
      'CHAT_CHANNEL_0_TOPIC_ARN: expected an SNS topic ARN',
    ],
    [
      {
        CHAT_CHANNEL_0_QUEUE_ARN: PAGER_QUEUE,
        CHAT_CHANNEL_0_TOPIC_ARN: PAGER_TOPIC,
        CHAT_CHANNEL_1_QUEUE_ARN: PAGER_QUEUE,
        CHAT_CHANNEL_1_TOPIC_ARN: BILLING_TOPIC,
      },
      'CHAT_CHANNEL_1_QUEUE_ARN: queue arn:aws:sqs:eu-west-1:123456789012:pager-queue is named twice',
    ],
  ])('refuses %j at cold start with a ConfigError naming the variable', (env, message) => {
    expect(() => readRoutes(env)).toThrow(ConfigError);
    expect(() => readRoutes(env)).toThrow(message);
  });
});
