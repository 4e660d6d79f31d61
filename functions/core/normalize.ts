import type * as z from 'zod/mini';
import { isHttpStatus } from './classify';
import { type FieldError, TriageError, ValidationError } from './errors';
import {
  canonicalEventSchema,
  type EventSource,
  type IncomingEvent,
  incomingEventSchema,
  LIMITS,
  type TriageEvent,
  toIsoTime,
} from './event';
import { redactText } from './redact';
import { wellFormedText } from './safe-text';

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

/**
 * A text field as it is kept: well-formed (see safe-text.ts), secrets redacted, at most `max` UTF-16 units.
 */
function kept(value: string | undefined, max = 256): string | undefined {
  if (value === undefined) return undefined;
  const redacted = redactText(wellFormedText(value));
  return redacted.length > max ? redacted.slice(0, max) : redacted;
}

/** What the canonical event is made of, besides the time and the headers. */
type CanonicalFields = Omit<IncomingEvent, 'occurredAt' | 'headers'>;

/** Only the defined fields of `fields`: the canonical event has no `undefined` values. */
function definedOnly<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * The canonical event of a validated input, given its time in canonical form and the `x-request-id` of
 * its headers. Every text is made well-formed and redacted here, once, for every place it goes.
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
  const rawMessage = input.message ?? body.message;
  const message = rawMessage === undefined ? undefined : kept(rawMessage, Number.POSITIVE_INFINITY);
  const truncated = message !== undefined && message.length > LIMITS.maxMessageChars;
  return definedOnly<TriageEvent>({
    id: input.id ?? options.newId(),
    status,
    message: truncated ? message.slice(0, LIMITS.maxMessageChars) : message,
    messageTruncated: truncated ? true : undefined,
    requestId: kept(input.requestId ?? headerRequestId ?? body.requestId),
    model: kept(input.model),
    account: kept(input.account, 128),
    apiKeyId: kept(input.apiKeyId, 128),
    endpoint: kept(input.endpoint, 512),
    method: input.method?.toUpperCase(),
    app: kept(input.app, 128),
    environment: kept(input.environment, 64),
    occurredAt,
    errorType: kept(body.errorType),
    errorCode: kept(body.errorCode),
    provider: input.provider,
    source: options.source,
  });
}

/** Turn one validated incoming event into the canonical event: redacted, capped, unknown fields gone. */
export function toCanonical(input: IncomingEvent, options: NormalizeOptions): TriageEvent {
  const occurredAt = input.occurredAt === undefined ? undefined : toIsoTime(input.occurredAt);
  const requestId = input.requestId === undefined ? requestIdHeader(input.headers) : undefined;
  return canonicalEvent(options, input, occurredAt, requestId);
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

/** Validate and normalize one event; `path` prefixes field names in errors (e.g. `events[3]`). */
export function normalizeEvent(input: unknown, options: NormalizeOptions, path = ''): TriageEvent {
  return normalizeWithSchema(input, options, path);
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
    try {
      events.push(normalizeWithSchema(items[index], options, `${prefix}[${index}]`));
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

/** Validate an already-canonical event (queue messages, `simulate` input) with the canonical schema. */
export function parseCanonicalEvent(input: unknown, path = ''): TriageEvent {
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
