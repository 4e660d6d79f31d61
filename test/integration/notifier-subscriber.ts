import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const sns = new SNSClient({});
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

export interface Delivered {
  readonly subject?: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** What an SQS subscriber of real SNS gets for a MessageStructure json publish: the parsed `default`. */
  readonly body: Record<string, unknown>;
}

/** A queue subscribed to `topicArn` with a filter policy on message attributes, as a billing owner would. */
export async function subscribedQueue(
  topicArn: string,
  filterPolicy: Record<string, unknown>,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `sub-${randomUUID()}` }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
      Attributes: { FilterPolicy: JSON.stringify(filterPolicy) },
    }),
  );
  return QueueUrl as string;
}

/** Notifications waiting on the queue, unwrapped from their SNS envelope. */
export async function receive(queueUrl: string, waitSeconds = 0): Promise<Delivered[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
  );
  return Messages.map((message) => {
    const envelope = JSON.parse(message.Body ?? '{}') as {
      Message: string;
      Subject?: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(envelope.MessageAttributes ?? {}))
      attributes[name] = value.Value;
    return {
      ...(envelope.Subject ? { subject: envelope.Subject } : {}),
      attributes,
      body: JSON.parse(forSqsProtocol(envelope.Message)) as Record<string, unknown>,
    };
  });
}

/**
 * fauxqs 2.4.1 ignores MessageStructure and delivers the whole `{ default, email }` document; real SNS
 * gives an SQS subscriber the `sqs` entry, else `default`. Do what SNS does, so the tests hold on both.
 */
function forSqsProtocol(message: string): string {
  const parsed = JSON.parse(message) as Record<string, unknown>;
  const selected = parsed.sqs ?? parsed.default;
  return typeof selected === 'string' && typeof parsed.email === 'string' ? selected : message;
}
