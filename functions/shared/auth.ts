import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenIdentity, TokenStore } from '../adapters/token-store';
import { scopeAllows, type TokenScope } from '../core/token-scope';
import { HttpError, headerValue } from './http';

export type TokenVerifier = Pick<TokenStore, 'verify'>;

/** How long a client should wait before retrying when the token store is unreachable. */
const TOKEN_RETRY_AFTER_SECONDS = 5;

/**
 * Who sent the request, checked against the scope the route needs: 401 for a missing, malformed or
 * unknown token; 403 for a valid token outside its scope; 503 when the token store cannot be read.
 */
export async function authenticate(
  event: APIGatewayProxyEventV2,
  tokens: TokenVerifier,
  required: TokenScope,
): Promise<TokenIdentity> {
  const authorization = headerValue(event.headers, 'authorization');
  const token = authorization?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) {
    throw new HttpError(401, 'unauthorized', 'missing bearer token: send Authorization: Bearer <token>', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  let identity: TokenIdentity | undefined;
  try {
    identity = await tokens.verify(token);
  } catch (error) {
    // The token store is unreachable: the request may well be valid, so not a 401, and the rest of the
    // service may well be healthy, so not a 500. Nothing was done.
    throw new HttpError(503, 'service_unavailable', 'cannot check the token right now; retry shortly', {
      headers: { 'retry-after': String(TOKEN_RETRY_AFTER_SECONDS) },
      cause: error,
    });
  }
  if (!identity) {
    throw new HttpError(401, 'unauthorized', 'unknown or revoked token', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  if (!scopeAllows(identity.scope, required)) {
    throw new HttpError(
      403,
      'forbidden',
      `this token's scope is ${identity.scope}; this route needs a token with scope ${required} or admin`,
      { headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } },
    );
  }
  return identity;
}
