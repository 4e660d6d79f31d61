import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DUE_INDEX } from '../functions/adapters/state-repository';

/** The state table as the stack defines it (lib/): pk/sk, TTL on expiresAt, sparse due-index. */
export function stateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'dueShard', AttributeType: 'S' },
      { AttributeName: 'nextDueAt', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX,
        KeySchema: [
          { AttributeName: 'dueShard', KeyType: 'HASH' },
          { AttributeName: 'nextDueAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/** Create the table unless it exists (a `--data` restart keeps it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (
      !(error instanceof ResourceNotFoundException) &&
      (error as Error).name !== 'ResourceNotFoundException'
    )
      throw error;
    await client.send(new CreateTableCommand(stateTableInput(tableName)));
  }
}

export interface QueuePair {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}

/** A queue with its dead-letter queue and redrive policy, as the event pipeline construct makes them. */
export async function ensureQueueWithDlq(
  client: SQSClient,
  name: string,
  options: {
    readonly visibilityTimeoutSeconds: number;
    readonly maxReceiveCount: number;
    /** Redrive to this existing dead-letter queue instead of creating `<name>-dlq`. */
    readonly dlq?: Pick<QueuePair, 'dlqUrl' | 'dlqArn'>;
    /** A FIFO queue (its name ends in `.fifo`), deduplicated by id, with a FIFO dead-letter queue. */
    readonly fifo?: boolean;
  },
): Promise<QueuePair> {
  const fifo = options.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : undefined;
  let dlqUrl = options.dlq?.dlqUrl;
  let dlqArn = options.dlq?.dlqArn;
  if (!dlqUrl || !dlqArn) {
    const dlqName = fifo ? `${name.replace(/\.fifo$/, '')}-dlq.fifo` : `${name}-dlq`;
    const dlq = await client.send(
      new CreateQueueCommand({ QueueName: dlqName, ...(fifo ? { Attributes: fifo } : {}) }),
    );
    dlqUrl = dlq.QueueUrl as string;
    dlqArn = await queueArn(client, dlqUrl);
  }
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        ...fifo,
        VisibilityTimeout: String(options.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl as string;
  return { queueUrl, queueArn: await queueArn(client, queueUrl), dlqUrl, dlqArn };
}

export async function ensureTopic(client: SNSClient, name: string): Promise<string> {
  const topic = await client.send(new CreateTopicCommand({ Name: name }));
  return topic.TopicArn as string;
}

/** Subscribe a queue to a topic (SNS envelope delivery, so subject and attributes stay visible). */
export async function subscribeQueue(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  filterPolicy?: Record<string, unknown>,
): Promise<string> {
  const result = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      ReturnSubscriptionArn: true,
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
  return result.SubscriptionArn as string;
}
