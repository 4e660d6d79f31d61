import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { parseQueueMessage, type QueueMessageBody } from '../core/queue-message';
import { MetricUnit } from '../shared/metrics';
import { readQueueBody } from '../shared/queue-body';
import { errorMessage } from './scope-updates';

/**
 * The queue message a record carries; undefined when it does not parse, which is logged, counted and added
 * to `failed`: reported as a failure every time, it reaches the dead-letter queue.
 */
export function parseRecord(
  record: SQSRecord,
  failed: Set<string>,
  deps: { readonly logger: Logger; readonly metrics: Metrics },
): QueueMessageBody | undefined {
  try {
    return parseQueueMessage(readQueueBody(record.body));
  } catch (error) {
    deps.logger.error('queue message does not parse; it will go to the dead-letter queue', {
      messageId: record.messageId,
      error: errorMessage(error),
    });
    deps.metrics.addMetric('InvalidQueueMessages', MetricUnit.Count, 1);
    failed.add(record.messageId);
    return undefined;
  }
}
