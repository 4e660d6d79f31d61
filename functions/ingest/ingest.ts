import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { EventQueue } from '../adapters/event-queue';
import type { TokenIdentity } from '../adapters/token-store';
import { LIMITS, type TriageEvent } from '../core/event';
import { normalizeBody } from '../core/normalize';
import { looksLikeSecret, redactText } from '../core/redact';
import { authenticate, type TokenVerifier } from '../shared/auth';
import { HttpError, type HttpResult, headerValue, jsonResponse } from '../shared/http';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withHttpMiddleware } from '../shared/middleware';

export interface IngestDependencies extends StandardMiddlewareOptions {
  readonly tokens: TokenVerifier;
  readonly queue: Pick<EventQueue, 'sendBatch'>;
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
    // V8 may quote the input around the error: redacted like everything else that is echoed.
    const reason = redactText((error as Error).message);
    throw new HttpError(400, 'invalid_request', `request body is not valid JSON: ${reason}`, {
      details: [{ path: '(body)', message: reason }],
    });
  }
}

/**
 * The batch id of a request the client can send again as the same request: a digest of the token's app
 * and either the `Idempotency-Key` header with the body, or the events' own ids in order. Triage counts a
 * batch id once.
 */
export function requestKey(app: string, key: string | readonly string[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([app, key]))
    .digest('base64url');
  return `k-${digest.slice(0, 32)}`;
}

/** `Idempotency-Key` (the IETF httpapi draft's header), when the request has one; validated like an id. */
function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = headerValue(event.headers, 'idempotency-key')?.trim();
  if (key === undefined || key === '') return undefined;
  if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key) || looksLikeSecret(key)) {
    throw new HttpError(400, 'invalid_request', 'invalid Idempotency-Key header', {
      details: [
        {
          path: 'headers.idempotency-key',
          message: 'expected 1 to 255 printable ASCII characters without spaces, and no credential',
        },
      ],
    });
  }
  return key;
}

/** Events without an app or account speak for the token's app and account. */
function withTokenDefaults(event: TriageEvent, identity: TokenIdentity): TriageEvent {
  const account = event.account ?? identity.account;
  return { ...event, app: event.app ?? identity.app, ...(account ? { account } : {}) };
}

/**
 * `POST /v1/events`: checks method, token (and its scope: `ingest` or `admin`), content type, size and content in that order, so a
 * rejected request is answered before anything is queued; accepts with 202 once every event is queued.
 */
export function createIngestHandler(deps: IngestDependencies) {
  const log = deps.logger ?? sharedLogger;
  const metrics = deps.metrics ?? sharedMetrics;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  return withHttpMiddleware(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    requirePost(event);
    const identity = await authenticate(event, deps.tokens, 'ingest');
    // The token id identifies the caller in logs; the token itself is never logged.
    log.appendKeys({ app: identity.app, tokenId: identity.tokenId });
    requireJson(event);
    const key = idempotencyKey(event);
    const text = bodyText(event);
    const body = parseJson(text);
    // With an Idempotency-Key, the ids the service makes are derived from it, so a retry answers the same ids.
    // The key names the request together with its body: the same key with another body is another request
    // (a client's bug, not a retry), counted in full rather than dropped as a duplicate.
    const keyed =
      key === undefined
        ? undefined
        : requestKey(identity.app, [key, createHash('sha256').update(text).digest('base64url')]);
    let generated = 0;
    const newEventId = () => {
      const n = generated++;
      return keyed === undefined ? newId() : `${keyed}-${n}`;
    };
    const events = normalizeBody(body, { newId: newEventId, source: 'webhook' }).map((e) =>
      withTokenDefaults(e, identity),
    );

    const receivedAt = clock();
    // A request the client can send again as the same request (an Idempotency-Key, or an id on every
    // event) is the same batch id each time, which triage counts once; otherwise every request is new.
    const batchId =
      keyed ??
      (generated === 0
        ? requestKey(
            identity.app,
            events.map((e) => e.id),
          )
        : newId());
    // One message for the whole request: queued whole or not at all.
    const sent = await deps.queue.sendBatch(events, { batchId, receivedAt });

    metrics.addMetric('EventsAccepted', MetricUnit.Count, events.length);
    log.info('events accepted', {
      accepted: events.length,
      batchId: sent.batchId,
      lane: sent.lane,
    });
    const accepted: IngestAccepted = { accepted: events.length, ids: events.map((e) => e.id) };
    return jsonResponse(202, accepted);
  }, deps);
}
