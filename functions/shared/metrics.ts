import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { optionalEnv } from './env';
import { logger } from './logger';
import { METRICS_NAMESPACE, SERVICE_NAME } from './service';

export { MetricUnit };

export function createMetrics(): Metrics {
  return new Metrics({
    namespace: optionalEnv('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE),
    serviceName: optionalEnv('POWERTOOLS_SERVICE_NAME', SERVICE_NAME),
    // Its own warnings (e.g. nothing to publish) go through the structured logger and its level.
    logger,
  });
}

/** The one Metrics instance of a function, flushed by the standard middleware after each invocation. */
export const metrics: Metrics = createMetrics();

/**
 * Count one occurrence under its own dimension (e.g. RequestsRejected by status) without adding that
 * dimension to every other metric of the invocation.
 */
export function countBy(target: Metrics, name: string, dimension: string, value: string, count = 1): void {
  target.singleMetric().addDimension(dimension, value).addMetric(name, MetricUnit.Count, count);
}
