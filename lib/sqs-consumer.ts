import { type Duration, Names } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** What Lambda's SQS poller calls with the consumer's role (AWS Lambda developer guide, SQS execution role). */
const CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

export interface SqsConsumerOptions {
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly maxConcurrency?: number;
}

/**
 * `fn` consumes `queue` with partial batch failures: SqsEventSource's event source mapping, under the id it
 * gives it (so an update from SqsEventSource keeps the logical id and does not replace the mapping), with
 * exactly the rights the poller uses, and kms:Decrypt on the queue's key. SqsEventSource's
 * grantConsumeMessages also allows ChangeMessageVisibility and GetQueueUrl, which nothing calls
 * (test/iam: called vs granted).
 */
export function consumeQueue(fn: lambda.Function, queue: sqs.Queue, options: SqsConsumerOptions): void {
  fn.addEventSourceMapping(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`, {
    eventSourceArn: queue.queueArn,
    batchSize: options.batchSize,
    ...(options.maxBatchingWindow ? { maxBatchingWindow: options.maxBatchingWindow } : {}),
    ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
    reportBatchItemFailures: true,
  });
  queue.grants.actions(fn, CONSUME_ACTIONS, { keyActions: ['kms:Decrypt'] });
}
