import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Delivery records of the PagerDuty forwarder: pk = PAGERDUTY_PREFIX + notification id. */
export const PAGERDUTY_PREFIX = 'pagerduty#';
/** Delivery records of the chat relay: pk = CHAT_PREFIX + channel name + `#` + notification id. */
export const CHAT_PREFIX = 'chat#';
const SORT_KEY = 'sent';
/** As long as SNS → SQS could still redeliver the message (SQS keeps it at most 14 days). */
export const DELIVERY_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Which notifications a forwarder already passed on, by notification id (one per transition), in its own
 * partition of the state table (`prefix`): a redelivered SNS message is not sent twice. The record is
 * written after the destination took the notification, so a send that failed is retried.
 */
export class Deliveries {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly prefix: string,
  ) {}

  async wasSent(id: string): Promise<boolean> {
    const result = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: this.prefix + id, sk: SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async markSent(id: string, action: string, now: number): Promise<void> {
    await this.documentClient.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: this.prefix + id,
          sk: SORT_KEY,
          action,
          sentAt: new Date(now).toISOString(),
          expiresAt: Math.floor((now + DELIVERY_RETENTION_MS) / 1000),
        },
      }),
    );
  }
}
