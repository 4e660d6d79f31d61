import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context';
import { PollLoop } from './poll-loop';

/** SQS's limit of entries per DeleteMessageBatch call. */
const MAX_DELETE_ENTRIES = 10;

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: SqsHandler;
  readonly functionName: string;
  /** Messages per invocation, as the event source mapping's batch size (SQS returns at most 10 per call). */
  readonly batchSize?: number;
  /**
   * The event source's batching window: after the first message, keep collecting until `batchSize`
   * messages or this many ms (default 0: invoke with what the first receive returned).
   */
  readonly batchingWindowMs?: number;
  readonly onError: (error: unknown) => void;
}

function toRecord(message: Message, options: SqsPollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

/**
 * Lambda's SQS event source mapping, in process: long-polls, invokes the handler with a batch,
 * deletes what succeeded and leaves reported failures (or the whole batch, if the handler throws)
 * to reappear after the visibility timeout — so the queue's redrive policy moves poison messages
 * to the DLQ exactly as on AWS.
 */
export class SqsPoller {
  private readonly loop: PollLoop;

  constructor(private readonly options: SqsPollerOptions) {
    this.loop = new PollLoop((signal) => this.pollOnce(5, signal), options.onError);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One receive → invoke → delete round; returns how many messages it handled. */
  async pollOnce(waitSeconds = 1, signal?: AbortSignal): Promise<number> {
    const { client, queueUrl, handler, functionName } = this.options;
    const batchSize = this.options.batchSize ?? 10;
    const messages = await this.receive(Math.min(10, batchSize), waitSeconds, signal);
    if (messages.length === 0) return 0;
    const windowMs = this.options.batchingWindowMs ?? 0;
    const deadline = Date.now() + windowMs;
    while (messages.length < batchSize && Date.now() < deadline && !signal?.aborted) {
      const more = await this.receive(Math.min(10, batchSize - messages.length), 0, signal);
      if (more.length > 0) messages.push(...more);
      else
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(50, deadline - Date.now()))));
    }
    const records = messages.map((message) => toRecord(message, this.options));
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records }, lambdaContext(functionName));
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      this.options.onError(error);
      return messages.length;
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    // DeleteMessageBatch takes at most 10 entries: a larger batch is deleted in calls of 10, as Lambda does.
    for (let start = 0; start < done.length; start += MAX_DELETE_ENTRIES) {
      const part = done.slice(start, start + MAX_DELETE_ENTRIES);
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: part.map((record, n) => ({ Id: String(n), ReceiptHandle: record.receiptHandle })),
        }),
      );
      if (result.Failed?.length)
        this.options.onError(
          new Error(`could not delete ${result.Failed.length} handled message(s): ${result.Failed[0]?.Code}`),
        );
    }
    return messages.length;
  }

  private async receive(max: number, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const received = await this.options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return received.Messages ?? [];
  }
}
