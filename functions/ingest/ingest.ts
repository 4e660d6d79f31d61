import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { EventQueue } from '../adapters/event-queue';
import type { TokenIdentity, TokenStore } from '../adapters/token-store';
import { LIMITS, type TriageEvent } from '../core/event';
import { normalizeBody } from '../core/normalize';
import { HttpError, type HttpResult, headerValue, jsonResponse } from '../shared/http';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withHttpMiddleware } from '../shared/middleware';

export interface IngestDependencies extends StandardMiddlewareOptions {
  readonly tokens: Pick<TokenStore, 'verify'>;
  readonly queue: Pick<EventQueue, 'send'>;
  /** Epoch ms; the receive time of the batch. */
  readonly clock?: () => number;
  readonly newId?: () => string;
}

export interface IngestAccepted {
  readonly accepted: number;
  readonly ids: string[];
}

const JSON_MEDIA_TYPE = /^(?:application\/json|[a-z]+\/[a-z0-9.!#$&^_-]+\+json)$/;

function requirePost(event: APIGatewayProxyEventV2): void {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'POST') {
    throw new HttpError(405, 'method_not_allowed', `method ${method} is not allowed: send events with POST`, {
      headers: { allow: 'POST' },
    });
  }
}

async function authenticate(
  event: APIGatewayProxyEventV2,
  tokens: IngestDependencies['tokens'],
): Promise<TokenIdentity> {
  const authorization = headerValue(event.headers, 'authorization');
  const token = authorization?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) {
    throw new HttpError(401, 'unauthorized', 'missing bearer token: send Authorization: Bearer <token>', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const identity = await tokens.verify(token);
  if (!identity) {
    throw new HttpError(401, 'unauthorized', 'unknown or revoked token', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  return identity;
}

function requireJson(event: APIGatewayProxyEventV2): void {
  const contentType = headerValue(event.headers, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !JSON_MEDIA_TYPE.test(mediaType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `content type ${contentType ? `"${contentType}"` : '(none)'} is not supported: send application/json`,
    );
  }
}

/** The body as text, after checking its size in bytes as sent (decoded when API Gateway base64-encoded it). */
function bodyText(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > LIMITS.maxBodyBytes) {
    throw new HttpError(
      413,
      'payload_too_large',
      `request body is ${bytes.length} bytes, more than the ${LIMITS.maxBodyBytes} allowed; split the batch`,
    );
  }
  if (bytes.length === 0) {
    throw new HttpError(
      400,
      'invalid_request',
      'request body is empty: send one event or an array of events',
      {
        details: [{ path: '(body)', message: 'expected a JSON event, array of events or {"events": [...]}' }],
      },
    );
  }
  return event.isBase64Encoded ? bytes.toString('utf8') : raw;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message names the position (e.g. "... in JSON at position 12 (line 1 column 13)").
    const reason = (error as Error).message;
    throw new HttpError(400, 'invalid_request', `request body is not valid JSON: ${reason}`, {
      details: [{ path: '(body)', message: reason }],
    });
  }
}

/**
 * The batch prefix of a request whose events all carry the client's ids (their idempotency keys): a
 * digest of the token's app and the ids in order, so the same request sent again is the same batches.
 */
export function requestKey(app: string, events: readonly TriageEvent[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([app, events.map((event) => event.id)]))
    .digest('base64url');
  return `k-${digest.slice(0, 32)}`;
}

/** Events without an app or account speak for the token's app and account. */
function withTokenDefaults(event: TriageEvent, identity: TokenIdentity): TriageEvent {
  const account = event.account ?? identity.account;
  return { ...event, app: event.app ?? identity.app, ...(account ? { account } : {}) };
}

/**
 * `POST /v1/events`: checks method, token, content type, size and content in that order, so a
 * rejected request is answered before anything is queued; accepts with 202 once every event is queued.
 */
export function createIngestHandler(deps: IngestDependencies) {
  const log = deps.logger ?? sharedLogger;
  const metrics = deps.metrics ?? sharedMetrics;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  return withHttpMiddleware(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    requirePost(event);
    const identity = await authenticate(event, deps.tokens);
    // The token id identifies the caller in logs; the token itself is never logged.
    log.appendKeys({ app: identity.app, tokenId: identity.tokenId });
    requireJson(event);
    const body = parseJson(bodyText(event));
    let generatedIds = 0;
    const idFor = () => {
      generatedIds++;
      return newId();
    };
    const events = normalizeBody(body, { newId: idFor, source: 'webhook' }).map((e) =>
      withTokenDefaults(e, identity),
    );

    const receivedAt = clock();
    // When the client named every event, a retry of the request (say, after a timeout that hid a success)
    // makes the same batch ids, which triage counts once; otherwise every request is new.
    const identified = generatedIds === 0;
    const batchPrefix = identified ? requestKey(identity.app, events) : newId();
    const sent = await deps.queue.send(events, { batchPrefix, receivedAt, stable: identified });

    metrics.addMetric('EventsAccepted', MetricUnit.Count, events.length);
    log.info('events accepted', {
      accepted: events.length,
      messages: sent.messages,
      batchIds: sent.batchIds,
    });
    const accepted: IngestAccepted = { accepted: events.length, ids: events.map((e) => e.id) };
    return jsonResponse(202, accepted);
  }, deps);
}
