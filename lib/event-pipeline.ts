import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TriageBatchConfig } from './config';

/** Producer rights on an encrypted queue: SQS encrypts with a data key made under the caller's rights. */
const SEND_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export interface EventPipelineProps {
  readonly encryptionKey: kms.IKey;
  /** The triage function: it consumes the queue and reports partial batch failures. */
  readonly consumer: lambda.Function;
  readonly batch: TriageBatchConfig;
}

/**
 * The events queue between ingestion and triage (DESIGN §7: an accepted event is never lost): SQS standard
 * queue, encrypted and TLS-only, redriven to a dead-letter queue after `maxReceiveCount` deliveries, consumed
 * by the triage function in batches with `reportBatchItemFailures`.
 */
export class EventPipeline extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const consumerTimeout = props.consumer.timeout ?? Duration.seconds(3);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Reuse data keys for 5 minutes instead of calling KMS per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS guidance: six times the consumer's timeout (plus the batching window), so retries of a slow batch
      // do not make messages visible again while they are still being processed.
      visibilityTimeout: Duration.seconds(
        consumerTimeout.toSeconds() * 6 + props.batch.maxBatchingWindowSeconds,
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.batch.maxReceiveCount },
    });
    props.consumer.addEventSource(
      new sources.SqsEventSource(this.queue, {
        batchSize: props.batch.batchSize,
        maxBatchingWindow:
          props.batch.maxBatchingWindowSeconds > 0
            ? Duration.seconds(props.batch.maxBatchingWindowSeconds)
            : undefined,
        reportBatchItemFailures: true,
      }),
    );
  }

  /** Let a function send events to the queue (SendMessage covers SendMessageBatch), with `EVENTS_QUEUE_URL`. */
  public bindProducer(fn: lambda.Function): void {
    this.queue.grants.actions(fn, ['sqs:SendMessage'], { keyActions: SEND_KEY_ACTIONS });
    fn.addEnvironment('EVENTS_QUEUE_URL', this.queue.queueUrl);
  }
}
