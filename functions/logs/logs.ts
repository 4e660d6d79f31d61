import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { EventQueue } from '../adapters/event-queue';
import { ConfigError } from '../core/errors';
import { COUNT_MODES, type CountMode } from '../core/extract/attribution';
import { extractFromLogsPayload } from '../core/extract/logs-payload';
import { optionalEnv } from '../shared/env';
import { logger as sharedLogger } from '../shared/logger';
import { countBy, MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import { batchPrefixOf } from './batch-prefix';
import { DecodeFailure, decodeLogsPayload } from './decode-payload';

export interface LogCounting {
  readonly count: CountMode;
  readonly byLogGroup: Readonly<Record<string, CountMode>>;
}

/** LOG_COUNT and LOG_GROUP_COUNT (a JSON object of log group name to mode), checked at cold start. */
export function countingFromEnv(env: NodeJS.ProcessEnv = process.env): LogCounting {
  const isMode = (value: unknown): value is CountMode => COUNT_MODES.includes(value as CountMode);
  const count = optionalEnv('LOG_COUNT', 'default', env);
  if (!isMode(count))
    throw new ConfigError(`LOG_COUNT must be one of ${COUNT_MODES.join(', ')}, got "${count}"`, [
      { path: 'LOG_COUNT', message: 'expected a count mode' },
    ]);
  let byLogGroup: unknown;
  try {
    byLogGroup = JSON.parse(optionalEnv('LOG_GROUP_COUNT', '{}', env));
  } catch {
    byLogGroup = undefined;
  }
  if (
    !byLogGroup ||
    typeof byLogGroup !== 'object' ||
    Array.isArray(byLogGroup) ||
    !Object.values(byLogGroup).every(isMode)
  )
    throw new ConfigError('LOG_GROUP_COUNT must be a JSON object of log group names to count modes', [
      { path: 'LOG_GROUP_COUNT', message: 'expected {"<log group>": "default" | "llm" | "all"}' },
    ]);
  return { count, byLogGroup: byLogGroup as Record<string, CountMode> };
}

export interface LogsDependencies extends StandardMiddlewareOptions {
  readonly queue: Pick<EventQueue, 'send'>;
  /** Which errors a log group counts: its own mode (LOG_GROUP_COUNT), else `count` (LOG_COUNT). */
  readonly counting: LogCounting;
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
    const count = deps.counting.byLogGroup[payload.logGroup] ?? deps.counting.count;
    const result = extractFromLogsPayload(payload, { count });
    metrics.addMetric('LogLinesScanned', MetricUnit.Count, result.linesScanned);
    metrics.addMetric('LogErrorsExtracted', MetricUnit.Count, result.events.length);
    if (result.notCounted > 0) {
      // Errors of another provider or of a service that is not an LLM API, left out by the count mode.
      metrics.addMetric('LogErrorsNotCounted', MetricUnit.Count, result.notCounted);
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
