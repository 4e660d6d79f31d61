import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TriageBatchConfig } from './config';
import { consumeQueue } from './sqs-consumer';

/** Producer rights on an encrypted queue: SQS encrypts with a data key made under the caller's rights. */
const SEND_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export interface EventPipelineProps {
  readonly encryptionKey: kms.IKey;
  /** The triage function: it consumes both lanes and reports partial batch failures. */
  readonly consumer: lambda.Function;
  /** The urgent lane's event source: events that may page at once. */
  readonly urgent: TriageBatchConfig;
  /** The bulk lane's event source: every other event. */
  readonly bulk: TriageBatchConfig;
  /** Statuses the producers send to the urgent lane: the policy's `incidents.immediateStatuses`. */
  readonly urgentStatuses: readonly number[];
}

/**
 * The events queues between ingestion and triage (docs/design.md, "Data flow": an accepted event is never lost), in two lanes
 * consumed by the same triage function. The urgent lane carries the events that open an incident at once
 * (500 by default) with a short batching window; the bulk lane carries everything else — rules that wait
 * minutes by design (persistent 5xx, account digests, counts) — with a long one, so each invocation folds
 * many messages into one write per scope (docs/design.md, "Data flow": writes scale with scopes, not events). The lanes' scopes
 * are disjoint. Both queues are encrypted and TLS-only and redrive to one dead-letter queue after
 * `maxReceiveCount` deliveries.
 */
export class EventPipeline extends Construct {
  /** The bulk lane (EVENTS_QUEUE_URL). */
  public readonly queue: sqs.Queue;
  /** The urgent lane (URGENT_EVENTS_QUEUE_URL). */
  public readonly urgentQueue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  private readonly urgentStatuses: string;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    this.urgentStatuses = props.urgentStatuses.join(',');
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = this.lane('Queue', props.bulk, props);
    this.urgentQueue = this.lane('UrgentQueue', props.urgent, props);
  }

  private lane(id: string, batch: TriageBatchConfig, props: EventPipelineProps): sqs.Queue {
    const consumerTimeout = props.consumer.timeout ?? Duration.seconds(3);
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Reuse data keys for 5 minutes instead of calling KMS per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS guidance: six times the consumer's timeout plus the batching window, so retries of a slow batch
      // do not make messages visible again while they are still being processed.
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6 + batch.maxBatchingWindowSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: batch.maxReceiveCount },
    });
    consumeQueue(props.consumer, queue, {
      batchSize: batch.batchSize,
      ...(batch.maxBatchingWindowSeconds > 0
        ? { maxBatchingWindow: Duration.seconds(batch.maxBatchingWindowSeconds) }
        : {}),
      ...(batch.maxConcurrency !== undefined ? { maxConcurrency: batch.maxConcurrency } : {}),
    });
    return queue;
  }

  /**
   * Let a function send events to both lanes (SendMessage covers SendMessageBatch), with `EVENTS_QUEUE_URL`,
   * `URGENT_EVENTS_QUEUE_URL` and `URGENT_STATUSES`.
   */
  public bindProducer(fn: lambda.Function): void {
    for (const queue of [this.queue, this.urgentQueue]) {
      queue.grants.actions(fn, ['sqs:SendMessage'], { keyActions: SEND_KEY_ACTIONS });
    }
    fn.addEnvironment('EVENTS_QUEUE_URL', this.queue.queueUrl);
    fn.addEnvironment('URGENT_EVENTS_QUEUE_URL', this.urgentQueue.queueUrl);
    fn.addEnvironment('URGENT_STATUSES', this.urgentStatuses);
  }
}
