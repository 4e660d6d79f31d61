import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Deliveries } from '../adapters/deliveries';
import type { TopicRepublisher } from '../adapters/notifier';
import { parseNotificationMessage } from '../core/pagerduty-event';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import type { ChannelRoute } from './wiring';

export interface RelayDeps {
  /** The filtered channels by the ARN of their queue (the record's eventSourceARN). */
  readonly routes: ReadonlyMap<string, ChannelRoute>;
  readonly publisher: Pick<TopicRepublisher, 'publish'>;
  /** What each channel already got (its partition `chat#…` of the state table): no double post on redelivery. */
  readonly deliveries: Pick<Deliveries, 'wasSent' | 'markSent'>;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export type RelayDependencies = Omit<RelayDeps, 'logger' | 'metrics' | 'clock'> &
  Partial<Pick<RelayDeps, 'clock'>> &
  StandardMiddlewareOptions;

/**
 * The chat relay (docs/design.md, "Filtered chat channels"): a filtered channel's queue, subscribed to the
 * notification topics with the channel's filter policy (SNS evaluates it), → this function → the channel's
 * own topic, which AWS Chatbot subscribes to. It publishes the notification again with the same
 * per-protocol document (functions/adapters/notifier.ts), so Chatbot's https subscription gets the chat
 * rendering, once per channel and notification: a delivery record, written after the publish, makes a
 * redelivered message a no-op (a publish that failed is retried). A message that cannot be relayed (not a notification, a queue of no channel, a failed publish)
 * is a batch item failure: SQS retries it and, after maxReceiveCount deliveries, moves it to the
 * dead-letter queue, whose alarm fires.
 */
export function createRelayHandler(dependencies: RelayDependencies) {
  const deps: RelayDeps = {
    ...dependencies,
    clock: dependencies.clock ?? Date.now,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
  };
  return withStandardMiddleware<SQSEvent, SQSBatchResponse>(
    async (event) => relayRecords(event.Records, deps),
    dependencies,
  );
}

export async function relayRecords(
  records: readonly SQSRecord[],
  deps: RelayDeps,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    const relayed = await relayOne(record, deps).catch((error: unknown) => {
      deps.logger.error('notification not relayed to its chat channel; SQS will retry it', {
        messageId: record.messageId,
        queue: record.eventSourceARN,
        error: (error as Error).message,
      });
      deps.metrics.addMetric('ChatRelayFailures', MetricUnit.Count, 1);
      return false;
    });
    if (!relayed) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
}

async function relayOne(record: SQSRecord, deps: RelayDeps): Promise<true> {
  const route = deps.routes.get(record.eventSourceARN);
  if (!route) throw new Error(`no chat channel has the queue ${record.eventSourceARN}`);
  const parsed = parseNotificationMessage(record.body);
  if (typeof parsed === 'string') throw new Error(`queue message is not a notification: ${parsed}`);
  const { intent, runbookUrl } = parsed;
  const delivery = `${route.name}#${intent.notificationId}`;
  if (await deps.deliveries.wasSent(delivery)) {
    deps.logger.info('already relayed to this chat channel; redelivery ignored', {
      channel: route.name,
      notificationId: intent.notificationId,
    });
    return true;
  }
  await deps.publisher.publish(route.topicArn, intent, runbookUrl);
  await deps.deliveries.markSent(delivery, intent.kind, deps.clock());
  deps.metrics.addMetric('ChatNotificationsRelayed', MetricUnit.Count, 1);
  deps.logger.info('relayed to chat channel', {
    channel: route.name,
    notificationId: intent.notificationId,
    kind: intent.kind,
  });
  return true;
}
