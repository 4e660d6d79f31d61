import type * as z from 'zod/mini';
import { type ReadTime, readCanonicalEvent } from './canonical-event';
import { isHttpStatus } from './classify';
import { type FieldError, TriageError, ValidationError } from './errors';
import {
  canonicalEventSchema,
  type EventSource,
  hasBodyStatus,
  ID_PATTERN,
  type IncomingEvent,
  incomingEventSchema,
  LIMITS,
  METHOD_PATTERN,
  TEXT_LIMITS,
  type TriageEvent,
  toIsoTime,
} from './event';
import { looksLikeSecret, redactText } from './redact';

/** More events than one request may carry. */
export class TooManyEventsError extends TriageError {
  override readonly name = 'TooManyEventsError';
  override readonly statusCode = 413;
}

export interface NormalizeOptions {
  /** Makes an id for an event that brings none (the ingest handler passes a UUID generator). */
  readonly newId: () => string;
  readonly source?: EventSource;
}

type Json = Record<string, unknown>;

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(body)';
}

export function issuesToFieldErrors(prefix: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({ path: pathOf(prefix, issue.path), message: issue.message }));
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;

function parseBody(body: IncomingEvent['body']): Json | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== 'string') return body;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Json)
      : { message: body };
  } catch {
    return { message: body };
  }
}

const isRequestIdHeader = (name: string) => name.length === 12 && name.toLowerCase() === 'x-request-id';

/** The first `x-request-id` header (any case), as in the fast path. */
function requestIdHeader(headers: IncomingEvent['headers']): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (isRequestIdHeader(key)) return str(Array.isArray(value) ? value[0] : value);
  }
  return undefined;
}

function toStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return isHttpStatus(n) ? n : undefined;
}

interface ErrorBodyFields {
  readonly message?: string | undefined;
  readonly errorType?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly status?: number | undefined;
  readonly requestId?: string | undefined;
}

const NO_BODY: ErrorBodyFields = {};

/** Pull message, type, code and status out of an OpenAI/Fireworks-compatible error body. */
function fromErrorBody(body: Json | undefined): ErrorBodyFields {
  if (!body) return NO_BODY;
  const error = body.error;
  const detail: Json = error && typeof error === 'object' && !Array.isArray(error) ? (error as Json) : {};
  return {
    message:
      str(detail.message) ??
      (typeof error === 'string' ? error : undefined) ??
      str(body.message) ??
      str(body.detail),
    errorType: str(detail.type) ?? str(body.type),
    errorCode: str(detail.code) ?? str(body.code),
    status: toStatus(detail.status) ?? toStatus(body.status),
    requestId: str(detail.request_id) ?? str(body.request_id),
  };
}

function capped(value: string | undefined, max = 256): string | undefined {
  if (value === undefined) return undefined;
  const redacted = redactText(value);
  return redacted.length > max ? redacted.slice(0, max) : redacted;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the canonical event is made of, besides the time and the headers. */
type CanonicalFields = Omit<IncomingEvent, 'occurredAt' | 'headers'>;

/**
 * The canonical event of a validated input, given each field as read (by the fast path or from zod's
 * output), its time already in canonical form and the `x-request-id` of its headers. Only defined keys
 * are set, in a fixed order, so events of the same shape share one hidden class and serialize alike.
 */
function canonicalEvent(
  options: NormalizeOptions,
  input: CanonicalFields,
  occurredAt: string | undefined,
  headerRequestId: string | undefined,
): TriageEvent {
  const body = fromErrorBody(parseBody(input.body));
  const status = toStatus(input.status) ?? toStatus(input.statusCode) ?? body.status;
  if (status === undefined)
    throw new ValidationError('status is required', [{ path: 'status', message: 'missing' }]);
  // An empty literal, not `{ id, status }`: V8 gives it no allocation site. A literal's site learns from
  // events that outlive a scavenge (a large batch kept alive) to allocate them in old space, after which
  // every young string they hold (ids, redacted texts) survives each scavenge too: ~30 ms per 100 000.
  const event = {} as Mutable<TriageEvent>;
  event.id = input.id ?? options.newId();
  event.status = status;
  const rawMessage = input.message ?? body.message;
  if (rawMessage !== undefined) {
    const message = redactText(rawMessage);
    if (message.length > LIMITS.maxMessageChars) {
      event.message = message.slice(0, LIMITS.maxMessageChars);
      event.messageTruncated = true;
    } else {
      event.message = message;
    }
  }
  const requestId = capped(input.requestId ?? headerRequestId ?? body.requestId);
  if (requestId !== undefined) event.requestId = requestId;
  const model = capped(input.model);
  if (model !== undefined) event.model = model;
  const account = capped(input.account, 128);
  if (account !== undefined) event.account = account;
  const apiKeyId = capped(input.apiKeyId, 128);
  if (apiKeyId !== undefined) event.apiKeyId = apiKeyId;
  const endpoint = capped(input.endpoint, 512);
  if (endpoint !== undefined) event.endpoint = endpoint;
  if (input.method !== undefined) event.method = input.method.toUpperCase();
  const app = capped(input.app, 128);
  if (app !== undefined) event.app = app;
  const environment = capped(input.environment, 64);
  if (environment !== undefined) event.environment = environment;
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  const errorType = capped(body.errorType);
  if (errorType !== undefined) event.errorType = errorType;
  const errorCode = capped(body.errorCode);
  if (errorCode !== undefined) event.errorCode = errorCode;
  if (input.provider !== undefined) event.provider = input.provider;
  if (options.source !== undefined) event.source = options.source;
  return event;
}

/** Turn one validated incoming event into the canonical event: redacted, capped, unknown fields gone. */
export function toCanonical(input: IncomingEvent, options: NormalizeOptions): TriageEvent {
  const occurredAt = input.occurredAt === undefined ? undefined : toIsoTime(input.occurredAt);
  const requestId = input.requestId === undefined ? requestIdHeader(input.headers) : undefined;
  return canonicalEvent(options, input, occurredAt, requestId);
}

/** A text field the schema accepts as it is (absent, or 1 to `max` UTF-16 units). */
const fits = (value: unknown, max: number): value is string | undefined =>
  value === undefined || (typeof value === 'string' && value.length > 0 && value.length <= max);

/**
 * An object that z.record reads exactly as JSON.parse made it: plain prototype, no own `constructor`
 * (z.record's plain-object test looks at it), no symbol keys (z.record rejects them).
 */
const isJsonRecord = (value: unknown): value is Json =>
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) === Object.prototype &&
  !Object.hasOwn(value, 'constructor') &&
  Object.getOwnPropertySymbols(value).length === 0;

/**
 * The fast path of {@link normalizeEvent}: validate and convert in one pass, without zod, the inputs
 * the schema accepts as they are — nearly all of them. Returns undefined for anything else (invalid,
 * or a rare shape such as an over-long text that zod measures in code points), and zod decides: it stays
 * the source of truth for what is accepted and for the error details. When this returns an event, it is
 * the one `toCanonical(incomingEventSchema().parse(input))` makes (the unit tests check this on generated
 * inputs). Reads each own key once (for...in over a plain object, as JSON.parse makes them).
 */
export function normalizeCommonEvent(input: Json, options: NormalizeOptions): TriageEvent | undefined {
  // for...in sees what zod's reads see when nothing is inherited but Object.prototype's own (non-enumerable) keys.
  const prototype: unknown = Object.getPrototypeOf(input);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  let id: unknown;
  let status: unknown;
  let statusCode: unknown;
  let message: unknown;
  let requestId: unknown;
  let model: unknown;
  let account: unknown;
  let apiKeyId: unknown;
  let endpoint: unknown;
  let method: unknown;
  let app: unknown;
  let environment: unknown;
  let occurredAt: unknown;
  let provider: unknown;
  let body: unknown;
  let headers: unknown;
  for (const key in input) {
    const value = input[key];
    switch (key) {
      case 'id':
        id = value;
        break;
      case 'status':
        status = value;
        break;
      case 'statusCode':
        statusCode = value;
        break;
      case 'message':
        message = value;
        break;
      case 'requestId':
        requestId = value;
        break;
      case 'model':
        model = value;
        break;
      case 'account':
        account = value;
        break;
      case 'apiKeyId':
        apiKeyId = value;
        break;
      case 'endpoint':
        endpoint = value;
        break;
      case 'method':
        method = value;
        break;
      case 'app':
        app = value;
        break;
      case 'environment':
        environment = value;
        break;
      case 'occurredAt':
        occurredAt = value;
        break;
      case 'provider':
        provider = value;
        break;
      case 'body':
        body = value;
        break;
      case 'headers':
        headers = value;
        break;
    }
  }
  if (
    !fits(id, TEXT_LIMITS.id) ||
    (id !== undefined && !ID_PATTERN.test(id)) ||
    (status !== undefined && toStatus(status) === undefined) ||
    (statusCode !== undefined && toStatus(statusCode) === undefined) ||
    (message !== undefined && typeof message !== 'string') ||
    !fits(requestId, TEXT_LIMITS.requestId) ||
    !fits(model, TEXT_LIMITS.model) ||
    !fits(account, TEXT_LIMITS.account) ||
    !fits(apiKeyId, TEXT_LIMITS.apiKeyId) ||
    (apiKeyId !== undefined && looksLikeSecret(apiKeyId)) ||
    !fits(endpoint, TEXT_LIMITS.endpoint) ||
    !fits(method, TEXT_LIMITS.method) ||
    (method !== undefined && !METHOD_PATTERN.test(method)) ||
    !fits(app, TEXT_LIMITS.app) ||
    !fits(environment, TEXT_LIMITS.environment) ||
    (provider !== undefined && provider !== 'fireworks' && provider !== 'unknown') ||
    (body !== undefined && typeof body !== 'string' && !isJsonRecord(body)) ||
    (status === undefined && statusCode === undefined && !hasBodyStatus(body))
  )
    return undefined;
  let requestHeader: unknown;
  if (headers !== undefined) {
    if (!isJsonRecord(headers)) return undefined;
    let found = false;
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return undefined;
      } else if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
        return undefined;
      }
      // The first header of that name decides, as in requestIdHeader().
      if (!found && isRequestIdHeader(name)) {
        found = true;
        requestHeader = Array.isArray(value) ? value[0] : value;
      }
    }
  }
  let time: string | undefined;
  if (occurredAt !== undefined) {
    time = toIsoTime(occurredAt);
    if (time === undefined) return undefined;
  }
  return canonicalEvent(
    options,
    {
      id,
      status,
      statusCode,
      message,
      requestId,
      model,
      account,
      apiKeyId,
      endpoint,
      method,
      app,
      environment,
      provider,
      body: body as IncomingEvent['body'],
    },
    time,
    requestId === undefined ? str(requestHeader) : undefined,
  );
}

/** The schema path of {@link normalizeEvent}: every input, and the field errors of invalid ones. */
function normalizeWithSchema(input: unknown, options: NormalizeOptions, path: string): TriageEvent {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('an event must be a JSON object', [
      { path: path || '(body)', message: 'expected an object' },
    ]);
  }
  const parsed = incomingEventSchema().safeParse(input);
  if (!parsed.success) {
    const details = issuesToFieldErrors(path, parsed.error.issues);
    throw new ValidationError(
      `invalid event: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return toCanonical(parsed.data, options);
}

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Validate and normalize one event; `path` prefixes field names in errors (e.g. `events[3]`). */
export function normalizeEvent(input: unknown, options: NormalizeOptions, path = ''): TriageEvent {
  return (
    (isObject(input) && normalizeCommonEvent(input, options)) || normalizeWithSchema(input, options, path)
  );
}

/**
 * A request body as the webhook accepts it: one event, an array of events, or `{ "events": [...] }`.
 * All-or-nothing: one invalid item rejects the whole batch, with an error per item and field.
 */
export function normalizeBody(body: unknown, options: NormalizeOptions): TriageEvent[] {
  let items: unknown[];
  let prefix: string;
  if (Array.isArray(body)) {
    items = body;
    prefix = '';
  } else if (
    body &&
    typeof body === 'object' &&
    'events' in body &&
    !('status' in body) &&
    !('statusCode' in body)
  ) {
    const events = (body as Json).events;
    if (!Array.isArray(events)) {
      throw new ValidationError('events must be an array', [
        { path: 'events', message: 'expected an array of events' },
      ]);
    }
    items = events;
    prefix = 'events';
  } else {
    return [normalizeEvent(body, options)];
  }
  if (items.length === 0) {
    throw new ValidationError('no events: send at least one', [
      { path: prefix || '(body)', message: 'expected at least one event' },
    ]);
  }
  if (items.length > LIMITS.maxEventsPerRequest) {
    throw new TooManyEventsError(
      `too many events: ${items.length} in one request, at most ${LIMITS.maxEventsPerRequest}; split the batch`,
    );
  }
  const events: TriageEvent[] = [];
  const details: FieldError[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const common = isObject(item) ? normalizeCommonEvent(item, options) : undefined;
    if (common) {
      events.push(common);
      continue;
    }
    try {
      events.push(normalizeWithSchema(item, options, `${prefix}[${index}]`));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      details.push(...error.details);
    }
  }
  if (details.length > 0) {
    const bad = new Set(details.map((d) => d.path.replace(/\].*$/, ']'))).size;
    throw new ValidationError(`${bad} of ${items.length} events are invalid; nothing was accepted`, details);
  }
  return events;
}

const scratchTime: ReadTime = { time: undefined };

/**
 * Validate an already-canonical event (queue messages, `simulate` input). The common case is read without
 * zod (`readCanonicalEvent`, which may return `input` itself); the schema decides the rest.
 */
export function parseCanonicalEvent(input: unknown, path = ''): TriageEvent {
  const read = readCanonicalEvent(input, scratchTime);
  if (read) return read;
  const parsed = canonicalEventSchema().safeParse(input);
  if (!parsed.success) {
    const details = issuesToFieldErrors(path, parsed.error.issues);
    throw new ValidationError(
      `invalid canonical event: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return parsed.data as TriageEvent;
}
