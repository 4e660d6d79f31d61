import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CATALOG, UNLISTED_CODE_TIP } from '../core/catalog';
import { classify } from '../core/classify';
import { HttpError, type HttpResult, jsonResponse } from '../shared/http';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withHttpMiddleware } from '../shared/middleware';

/** How codes the table does not list are handled: any other 4xx, any other 5xx (like 520). */
function fallback(example: number, name: string) {
  const { possibleIssue, resolution, category, severity, retryable, route, basis } = classify(example);
  return {
    name,
    possibleIssue,
    resolution,
    category,
    severity,
    retryable,
    route,
    ...(basis !== undefined ? { basis } : {}),
  };
}

/** The body never changes between deployments of the same code: built once per container. */
const CODES_BODY = {
  codes: CATALOG,
  fallbacks: {
    '4xx': fallback(499, 'Unlisted client error'),
    '5xx': fallback(599, 'Unlisted server error (handled as 520 Unknown Error)'),
  },
  unlistedTip: UNLISTED_CODE_TIP,
};

export function createCodesHandler(options: StandardMiddlewareOptions = {}) {
  const metrics = options.metrics ?? sharedMetrics;
  return withHttpMiddleware(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const method = event.requestContext.http.method.toUpperCase();
    if (method !== 'GET') {
      throw new HttpError(405, 'method_not_allowed', `method ${method} is not allowed: use GET`, {
        headers: { allow: 'GET' },
      });
    }
    metrics.addMetric('CatalogRequests', MetricUnit.Count, 1);
    return jsonResponse(200, CODES_BODY, { 'cache-control': 'public, max-age=3600' });
  }, options);
}

/** `GET /v1/codes`: the documented error table with this service's handling of each code. */
export const handler = createCodesHandler();
