import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseIncidentQuery } from '../core/incidents';
import { authenticate, type TokenVerifier } from '../shared/auth';
import { HttpError, type HttpResult, jsonResponse } from '../shared/http';
import { logger as sharedLogger } from '../shared/logger';
import { type StandardMiddlewareOptions, withHttpMiddleware } from '../shared/middleware';
import { type IncidentSources, listIncidents } from './incidents';

export interface OnCallDependencies extends StandardMiddlewareOptions, IncidentSources {
  readonly tokens: TokenVerifier;
}

function requireMethod(event: APIGatewayProxyEventV2, allowed: readonly string[]): string {
  const method = event.requestContext.http.method.toUpperCase();
  if (!allowed.includes(method)) {
    throw new HttpError(
      405,
      'method_not_allowed',
      `method ${method} is not allowed here: use ${allowed.join(' or ')}`,
      { headers: { allow: allowed.join(', ') } },
    );
  }
  return method;
}

/**
 * The on-call API (docs/design.md, "Read API"): `GET /v1/incidents` for `read` and `admin` tokens.
 * Checks the method, then the token and its scope, then the query, so nothing is read for a bad request.
 */
export function createOnCallHandler(deps: OnCallDependencies) {
  const log = deps.logger ?? sharedLogger;
  return withHttpMiddleware(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const path = event.requestContext.http.path.replace(/\/+$/, '');
    if (path !== '/v1/incidents') {
      throw new HttpError(404, 'not_found', `no route for ${path}`);
    }
    requireMethod(event, ['GET']);
    const identity = await authenticate(event, deps.tokens, 'read');
    log.appendKeys({ app: identity.app, tokenId: identity.tokenId });
    const query = parseIncidentQuery(event.queryStringParameters ?? {});
    return jsonResponse(200, await listIncidents(query, deps), { 'cache-control': 'no-store' });
  }, deps);
}
