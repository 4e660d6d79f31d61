import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetters } from '../adapters/dead-letters';
import type { Deliveries } from '../adapters/deliveries';
import { type PagerDutyEvents, PagerDutyRejectedError } from '../adapters/pagerduty-events';
import { type PagerDutyRouting, pagerDutyEvent, parseNotificationMessage } from '../core/pagerduty-event';
import { logger as sharedLogger } from '../shared/logger';
import { countBy, MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';

export interface ForwarderDeps {
  readonly routing: PagerDutyRouting;
  readonly events: Pick<PagerDutyEvents, 'send'>;
  readonly deliveries: Pick<Deliveries, 'wasSent' | 'markSent'>;
  readonly deadLetters: Pick<DeadLetters, 'put'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => number;
}

export type ForwarderDependencies = Omit<ForwarderDeps, 'logger' | 'metrics' | 'clock'> &
  StandardMiddlewareOptions & { readonly clock?: () => number };

/**
 * The PagerDuty forwarder (docs/design.md, "PagerDuty"): the notification topics → an SQS queue → this
 * function → the Events API v2. Per message: an event that PagerDuty refuses (400) goes to the
 * dead-letter queue at once and is counted (PagerDutyRejected); one that could not be delivered after the
 * client's retries is reported as a batch item failure, so SQS retries it later and, after
 * maxReceiveCount deliveries, moves it to the same dead-letter queue.
 */
export function createForwarderHandler(dependencies: ForwarderDependencies) {
  const deps: ForwarderDeps = {
    ...dependencies,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
    clock: dependencies.clock ?? Date.now,
  };
  return withStandardMiddleware<SQSEvent, SQSBatchResponse>(
    async (event) => forwardRecords(event.Records, deps),
    dependencies,
  );
}

export async function forwardRecords(
  records: readonly SQSRecord[],
  deps: ForwarderDeps,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  deps.metrics.addMetric('PagerDutyMessagesReceived', MetricUnit.Count, records.length);
  for (const record of records) {
    const outcome = await forwardOne(record, deps).catch((error: unknown) => {
      deps.logger.error('PagerDuty event not delivered; SQS will retry it', {
        messageId: record.messageId,
        error: (error as Error).message,
      });
      deps.metrics.addMetric('PagerDutyDeliveryFailures', MetricUnit.Count, 1);
      return 'failed' as const;
    });
    if (outcome === 'failed') batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
}

async function forwardOne(record: SQSRecord, deps: ForwarderDeps): Promise<'sent' | 'skipped' | 'rejected'> {
  const parsed = parseNotificationMessage(record.body);
  if (typeof parsed === 'string') {
    deps.logger.error('queue message is not a notification; moved to the dead-letter queue', {
      messageId: record.messageId,
      error: parsed,
    });
    deps.metrics.addMetric('PagerDutyRejected', MetricUnit.Count, 1);
    await deps.deadLetters.put(record.body, parsed);
    return 'rejected';
  }
  const { intent, runbookUrl } = parsed;
  const event = pagerDutyEvent(intent, deps.routing, runbookUrl);
  if (!event) return 'skipped';
  if (await deps.deliveries.wasSent(intent.notificationId)) {
    deps.logger.info('already sent to PagerDuty; redelivery ignored', {
      notificationId: intent.notificationId,
    });
    deps.metrics.addMetric('PagerDutyDuplicatesIgnored', MetricUnit.Count, 1);
    return 'skipped';
  }
  try {
    await deps.events.send(event);
  } catch (error) {
    if (!(error instanceof PagerDutyRejectedError)) throw error;
    deps.logger.error('PagerDuty rejected the event; moved to the dead-letter queue', {
      notificationId: intent.notificationId,
      subjectId: intent.subjectId,
      status: error.status,
      error: error.message,
    });
    deps.metrics.addMetric('PagerDutyRejected', MetricUnit.Count, 1);
    await deps.deadLetters.put(record.body, error.message);
    return 'rejected';
  }
  await deps.deliveries.markSent(intent.notificationId, event.event_action, deps.clock());
  countBy(deps.metrics, 'PagerDutyEventsSent', 'action', event.event_action);
  deps.logger.info('sent to PagerDuty', {
    notificationId: intent.notificationId,
    subjectId: intent.subjectId,
    action: event.event_action,
  });
  return 'sent';
}
