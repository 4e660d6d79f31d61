import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Puts a message that can never succeed straight into a dead-letter queue, with the reason beside it. */
export class DeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(body: string, reason: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, 1000) || 'unknown' },
        },
      }),
    );
  }
}
