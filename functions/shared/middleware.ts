import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorResponse, type HttpResult } from './http';
import { logger as sharedLogger } from './logger';
import { MetricUnit, metrics as sharedMetrics } from './metrics';

export interface StandardMiddlewareOptions {
  /** Defaults to the function's shared logger / metrics. */
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Middy plugin options; tests pass `{ timeoutEarlyInMillis: 0 }`. */
  readonly plugin?: middy.PluginObject;
}

/** Logger context (request id, cold start; keys appended per request are reset) and metrics flushing. */
export function standardMiddleware(
  options: Pick<StandardMiddlewareOptions, 'logger' | 'metrics'> = {},
): middy.MiddlewareObj[] {
  return [
    injectLambdaContext(options.logger ?? sharedLogger, { resetKeys: true }),
    logMetrics(options.metrics ?? sharedMetrics, { captureColdStartMetric: true }),
  ] as middy.MiddlewareObj[];
}

/**
 * Turns any error of an API handler into the contract's JSON error body (see `errorResponse`): 4xx
 * answers keep their message, 5xx never leak. Counts `RequestsRejected` by `status`.
 */
export function httpErrors(
  options: Pick<StandardMiddlewareOptions, 'logger' | 'metrics'> = {},
): middy.MiddlewareObj<unknown, HttpResult> {
  const log = options.logger ?? sharedLogger;
  const target = options.metrics ?? sharedMetrics;
  return {
    onError: (request) => {
      const response = errorResponse(request.error, log);
      if (response.statusCode < 500) {
        log.info('request rejected', {
          status: response.statusCode,
          error: (request.error as Error).message,
        });
      }
      // On the invocation's own instance (not a single metric), so a rejected request still flushes a
      // metric; a failed request records nothing else, so the status dimension touches only this one.
      target.addDimension('status', String(response.statusCode));
      target.addMetric('RequestsRejected', MetricUnit.Count, 1);
      // Set, not returned: returning would skip the remaining onError middlewares (metrics flush).
      request.response = response;
    },
  };
}

/** The standard stack for event-driven handlers (SQS, schedule, logs subscription). */
export function withStandardMiddleware<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
  options: StandardMiddlewareOptions = {},
) {
  return middy<TEvent, TResult>(options.plugin).use(standardMiddleware(options)).handler(fn);
}

/** The standard stack plus HTTP error mapping, for API Gateway (payload v2) handlers. */
export function withHttpMiddleware<TEvent>(
  fn: (event: TEvent, context: Context) => Promise<HttpResult>,
  options: StandardMiddlewareOptions = {},
) {
  return middy<TEvent, HttpResult>(options.plugin)
    .use(standardMiddleware(options))
    .use(httpErrors(options))
    .handler(fn);
}
