import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScopeLaneConfig, TriageBatchConfig } from './config';
import { deadLetterQueue } from './dead-letter-queue';
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
  /** One writer per scope: when enabled, the bulk lane's messages are split onto a FIFO scope lane. */
  readonly scopeLane?: ScopeLaneConfig;
}

/** A FIFO event source takes at most 10 messages per batch, with no batching window (Lambda). */
const SCOPE_LANE_BATCH_SIZE = 10;

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
  /** The FIFO scope lane and its (FIFO) dead-letter queue, with `scopeLane.enabled`. */
  public readonly scopeLane?: { readonly queue: sqs.Queue; readonly deadLetterQueue: sqs.Queue };
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
    if (props.scopeLane?.enabled) this.scopeLane = this.scopeLaneOf(props.scopeLane, props);
  }

  /**
   * The scope lane (docs/design.md, "One writer per scope"): a FIFO queue whose message group is a scope, so
   * Lambda runs at most one batch per scope at a time, in order. Deduplication by the part's id (no content
   * hash), per message group, and throughput per message group (high-throughput FIFO). The triage function
   * sends to it (BULK_QUEUE_ARN says whose messages it forwards) and consumes it.
   */
  private scopeLaneOf(config: ScopeLaneConfig, props: EventPipelineProps) {
    const consumerTimeout = props.consumer.timeout ?? Duration.seconds(3);
    const deadLetters = deadLetterQueue(
      this,
      'ScopeLaneDeadLetterQueue',
      props.encryptionKey,
      'the scope lane',
      {
        fifo: true,
      },
    );
    const queue = new sqs.Queue(this, 'ScopeLane', {
      fifo: true,
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: config.maxReceiveCount },
    });
    consumeQueue(props.consumer, queue, {
      batchSize: SCOPE_LANE_BATCH_SIZE,
      maxConcurrency: config.maxConcurrency,
    });
    queue.grants.actions(props.consumer, ['sqs:SendMessage'], { keyActions: SEND_KEY_ACTIONS });
    props.consumer.addEnvironment('SCOPE_LANE_QUEUE_URL', queue.queueUrl);
    props.consumer.addEnvironment('BULK_QUEUE_ARN', this.queue.queueArn);
    return { queue, deadLetterQueue: deadLetters };
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
