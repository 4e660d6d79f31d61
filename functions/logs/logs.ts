import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { EventQueue } from '../adapters/event-queue';
import { extractFromLogsPayload } from '../core/extract/logs-payload';
import { logger as sharedLogger } from '../shared/logger';
import { countBy, MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import { batchPrefixOf } from './batch-prefix';
import { DecodeFailure, decodeLogsPayload } from './decode-payload';

export interface LogsDependencies extends StandardMiddlewareOptions {
  readonly queue: Pick<EventQueue, 'send'>;
  /** Count errors whose line does not show Fireworks (INCLUDE_NON_FIREWORKS). */
  readonly includeNonFireworks: boolean;
  /** Epoch ms; the receive time of the batch. */
  readonly clock?: () => number;
}

/** What one invocation did (CloudWatch Logs ignores it; tests and logs read it). */
export type LogsOutcome =
  | { readonly outcome: 'rejected'; readonly stage: DecodeFailure['stage'] }
  | { readonly outcome: 'control' }
  | {
      readonly outcome: 'processed';
      readonly linesScanned: number;
      readonly events: number;
      readonly batchIds: readonly string[];
    };

/**
 * The CloudWatch Logs subscription target: decode the payload, extract error events from its lines and
 * queue them like webhook events. A malformed payload is logged, counted and dropped (the invocation
 * succeeds: a retry cannot fix it); a queue failure fails the invocation so that it is retried, and
 * the batch ids, derived from the payload, make the retry harmless.
 */
export function createLogsHandler(deps: LogsDependencies) {
  const log = deps.logger ?? sharedLogger;
  const metrics = deps.metrics ?? sharedMetrics;
  const clock = deps.clock ?? Date.now;

  return withStandardMiddleware(async (event: CloudWatchLogsEvent): Promise<LogsOutcome> => {
    let payload: Awaited<ReturnType<typeof decodeLogsPayload>>;
    try {
      payload = await decodeLogsPayload(event);
    } catch (error) {
      if (!(error instanceof DecodeFailure)) throw error;
      log.error('malformed CloudWatch Logs payload dropped', { stage: error.stage, reason: error.message });
      countBy(metrics, 'LogPayloadsRejected', 'stage', error.stage);
      return { outcome: 'rejected', stage: error.stage };
    }
    if (payload.messageType === 'CONTROL_MESSAGE') {
      log.debug('CloudWatch Logs control message ignored', { logGroup: payload.logGroup });
      return { outcome: 'control' };
    }
    log.appendKeys({ logGroup: payload.logGroup, logStream: payload.logStream });
    const result = extractFromLogsPayload(payload, { includeNonFireworks: deps.includeNonFireworks });
    metrics.addMetric('LogLinesScanned', MetricUnit.Count, result.linesScanned);
    metrics.addMetric('LogErrorsExtracted', MetricUnit.Count, result.events.length);
    if (result.nonFireworksSkipped > 0) {
      metrics.addMetric('LogErrorsSkippedNonFireworks', MetricUnit.Count, result.nonFireworksSkipped);
    }
    if (result.events.length === 0) {
      return { outcome: 'processed', linesScanned: result.linesScanned, events: 0, batchIds: [] };
    }
    const batchPrefix = batchPrefixOf(payload);
    try {
      // A failed invocation is retried with the same payload, so the same prefix: a stable send.
      const sent = await deps.queue.send(result.events, { batchPrefix, receivedAt: clock(), stable: true });
      metrics.addMetric('EventsAccepted', MetricUnit.Count, result.events.length);
      log.info('log errors queued', { events: result.events.length, batchIds: sent.batchIds });
      return {
        outcome: 'processed',
        linesScanned: result.linesScanned,
        events: result.events.length,
        batchIds: sent.batchIds,
      };
    } catch (error) {
      log.error('could not queue log errors; failing the invocation so it is retried', {
        batchPrefix,
        events: result.events.length,
        error: error as Error,
      });
      throw error;
    }
  });
}
