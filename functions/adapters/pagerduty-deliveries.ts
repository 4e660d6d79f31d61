import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Delivery records: pk = PAGERDUTY_PREFIX + notification id (the forwarder's only partition of the table). */
export const PAGERDUTY_PREFIX = 'pagerduty#';
const SORT_KEY = 'sent';
/** As long as SNS → SQS could still redeliver the message (SQS keeps it at most 14 days). */
export const DELIVERY_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Which notifications were already sent to PagerDuty, by notification id (one per transition): a
 * redelivered SNS message is not sent twice. The record is written after PagerDuty took the event, so a
 * send that failed is retried.
 */
export class PagerDutyDeliveries {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async wasSent(notificationId: string): Promise<boolean> {
    const result = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: PAGERDUTY_PREFIX + notificationId, sk: SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async markSent(notificationId: string, action: string, now: number): Promise<void> {
    await this.documentClient.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: PAGERDUTY_PREFIX + notificationId,
          sk: SORT_KEY,
          action,
          sentAt: new Date(now).toISOString(),
          expiresAt: Math.floor((now + DELIVERY_RETENTION_MS) / 1000),
        },
      }),
    );
  }
}
