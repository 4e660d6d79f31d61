import type * as z from 'zod/mini';
import { isHttpStatus } from './classify';
import { type FieldError, TriageError, ValidationError } from './errors';
import {
  CanonicalEventSchema,
  type EventSource,
  type IncomingEvent,
  IncomingEventSchema,
  LIMITS,
  parseTime,
  type TriageEvent,
} from './event';
import { redactText } from './redact';

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

function header(headers: IncomingEvent['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return str(Array.isArray(value) ? value[0] : value);
  }
  return undefined;
}

function toStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return isHttpStatus(n) ? n : undefined;
}

/** Pull message, type, code and status out of an OpenAI/Fireworks-compatible error body. */
function fromErrorBody(body: Json | undefined) {
  if (!body) return {};
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
  return value === undefined ? undefined : redactText(value).slice(0, max);
}

/** Turn one validated incoming event into the canonical event: redacted, capped, unknown fields gone. */
export function toCanonical(input: IncomingEvent, options: NormalizeOptions): TriageEvent {
  const body = fromErrorBody(parseBody(input.body));
  const status = toStatus(input.status) ?? toStatus(input.statusCode) ?? body.status;
  if (status === undefined)
    throw new ValidationError('status is required', [{ path: 'status', message: 'missing' }]);
  const rawMessage = input.message ?? body.message;
  const message = rawMessage === undefined ? undefined : redactText(rawMessage);
  const truncated = message !== undefined && message.length > LIMITS.maxMessageChars;
  const occurredMs = input.occurredAt === undefined ? undefined : parseTime(input.occurredAt);
  const event: Record<string, unknown> = {
    id: input.id ?? options.newId(),
    status,
    message: truncated ? message.slice(0, LIMITS.maxMessageChars) : message,
    messageTruncated: truncated ? true : undefined,
    requestId: capped(input.requestId ?? header(input.headers, 'x-request-id') ?? body.requestId),
    model: capped(input.model),
    account: capped(input.account, 128),
    apiKeyId: capped(input.apiKeyId, 128),
    endpoint: capped(input.endpoint, 512),
    method: input.method?.toUpperCase(),
    app: capped(input.app, 128),
    environment: capped(input.environment, 64),
    occurredAt: occurredMs === undefined ? undefined : new Date(occurredMs).toISOString(),
    errorType: capped(body.errorType),
    errorCode: capped(body.errorCode),
    provider: input.provider,
    source: options.source,
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event as unknown as TriageEvent;
}

/** Validate and normalize one event; `path` prefixes field names in errors (e.g. `events[3]`). */
export function normalizeEvent(input: unknown, options: NormalizeOptions, path = ''): TriageEvent {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('an event must be a JSON object', [
      { path: path || '(body)', message: 'expected an object' },
    ]);
  }
  const parsed = IncomingEventSchema.safeParse(input);
  if (!parsed.success) {
    const details = issuesToFieldErrors(path, parsed.error.issues);
    throw new ValidationError(
      `invalid event: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return toCanonical(parsed.data, options);
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
  items.forEach((item, index) => {
    try {
      events.push(normalizeEvent(item, options, `${prefix}[${index}]`));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      details.push(...error.details);
    }
  });
  if (details.length > 0) {
    const bad = new Set(details.map((d) => d.path.replace(/\].*$/, ']'))).size;
    throw new ValidationError(`${bad} of ${items.length} events are invalid; nothing was accepted`, details);
  }
  return events;
}

/** Validate an already-canonical event (queue messages, `simulate` input). */
export function parseCanonicalEvent(input: unknown, path = ''): TriageEvent {
  const parsed = CanonicalEventSchema.safeParse(input);
  if (!parsed.success) {
    const details = issuesToFieldErrors(path, parsed.error.issues);
    throw new ValidationError(
      `invalid canonical event: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return parsed.data as TriageEvent;
}
