import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { Notifier } from '../../functions/adapters/notifier';
import type { NotificationIntent } from '../../functions/core/policy/types';
import { asDeliveredToQueue } from '../../local/notification-printer';
import { lambdaContext } from '../fixtures/apigw';
import { sqsEvent, sqsRecord } from '../fixtures/sqs';
import { invokedAs } from '../helpers/aws-calls/invoked-as';
import { incidentOpened } from '../helpers/notification-intent';
import { createStateTable } from '../helpers/table';
import { subscribedQueue } from './notifier-subscriber';

const sns = new SNSClient({});
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

function intent(overrides: Partial<NotificationIntent>): NotificationIntent {
  return incidentOpened({
    notificationId: 'inc-r:1:opened',
    statusCounts: { '500': 2 },
    scope: { rule: 'immediate', model: 'accounts/acme/models/m' },
    subjectId: 'inc-r',
    model: 'accounts/acme/models/m',
    apps: ['checkout'],
    count: 2,
    newSinceLast: 2,
    firstSeen: '2026-11-25T14:59:00.000Z',
    sampleRequestIds: ['req-1'],
    ...overrides,
  });
}

const queueArn = async (queueUrl: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn as string;

/** What is waiting on a queue, as raw SQS messages. */
async function drain(queueUrl: string, waitSeconds: number) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  return Messages;
}

describe('chat relay handler module (fauxqs)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('relays what passes the channel filter policy to the channel topic once, in the chat format for https subscribers', async () => {
    const support = (await sns.send(new CreateTopicCommand({ Name: `support-${randomUUID()}` })))
      .TopicArn as string;
    const channelTopic = (await sns.send(new CreateTopicCommand({ Name: `chat-pager-${randomUUID()}` })))
      .TopicArn as string;
    // The channel's queue, subscribed to the source topic with the channel's filter policy: SNS filters.
    const channelQueue = await subscribedQueue(support, {
      severity: ['critical'],
      kind: [{ 'anything-but': ['incident.reminder'] }],
    });
    // Stands in for Chatbot's subscription to the channel topic.
    const chatbot = await subscribedQueue(channelTopic, { kind: [{ exists: true }] });
    const notifier = new Notifier({ topicArns: { support, account: support } });
    await notifier.publish(intent({}));
    await notifier.publish(
      intent({ notificationId: 'inc-w:1:opened', subjectId: 'inc-w', severity: 'warning' }),
    );
    await notifier.publish(intent({ notificationId: 'inc-r:2:reminder', kind: 'incident.reminder' }));

    const queued = await drain(channelQueue, 2);
    expect(queued).toHaveLength(1);
    const arn = await queueArn(channelQueue);
    const { tableName, drop } = await createStateTable();
    process.env = {
      ...saved,
      TABLE_NAME: tableName,
      CHAT_CHANNEL_0_NAME: 'pager',
      CHAT_CHANNEL_0_QUEUE_ARN: arn,
      CHAT_CHANNEL_0_TOPIC_ARN: channelTopic,
    };
    let handler: ((event: unknown, context: unknown) => Promise<SQSBatchResponse>) | undefined;
    jest.isolateModules(() => {
      handler = invokedAs('chatrelay', require('../../functions/chat-relay/handler').handler);
    });
    // What Lambda's poller hands the function: the SNS envelope of the `default` message (as on AWS).
    const records = queued.map(
      (message) =>
        ({
          ...sqsRecord({
            messageId: message.MessageId as string,
            body: asDeliveredToQueue(message.Body ?? ''),
          }),
          eventSourceARN: arn,
        }) as SQSRecord,
    );
    const result = await handler?.(sqsEvent(...records), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    const delivered = await drain(chatbot, 2);
    expect(delivered).toHaveLength(1);
    const envelope = JSON.parse(delivered[0]?.Body ?? '{}') as {
      TopicArn: string;
      Subject: string;
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    expect(envelope.TopicArn).toBe(channelTopic);
    expect(envelope.Subject).toMatch(/500/);
    expect(envelope.MessageAttributes.severity?.Value).toBe('critical');
    // fauxqs delivers the whole per-protocol document: its `https` entry is what Chatbot reads on AWS.
    const document = JSON.parse(envelope.Message) as Record<string, string>;
    expect(JSON.parse(document.default as string)).toMatchObject({ notificationId: 'inc-r:1:opened' });
    expect(JSON.parse(document.https as string)).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { threadId: 'inc-r' },
    });
    expect(typeof document.email).toBe('string');

    // SQS delivers at least once: the same message again posts nothing more to the channel.
    expect(await handler?.(sqsEvent(...records), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await drain(chatbot, 1)).toHaveLength(0);
    await drop();
  });
});
