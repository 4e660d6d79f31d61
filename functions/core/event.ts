import * as z from 'zod/mini';
import { isHttpStatus, MAX_STATUS, MIN_STATUS } from './classify';
import { looksLikeSecret } from './redact';

/** Limits of the event model (DESIGN §3). */
export const LIMITS = {
  maxEventsPerRequest: 500,
  maxBodyBytes: 256 * 1024,
  maxMessageChars: 4096,
} as const;

/** Whose error: shown as Fireworks', shown as another provider's or service's, or not shown (log extraction's attribution). */
export type Provider = 'fireworks' | 'other' | 'unknown';
export type EventSource = 'webhook' | 'logs';

/** The canonical error event: what every accepted input shape becomes. Only `id` and `status` always exist. */
export interface TriageEvent {
  readonly id: string;
  readonly status: number;
  readonly message?: string;
  /** Set when `message` was cut to {@link LIMITS.maxMessageChars}. */
  readonly messageTruncated?: true;
  readonly requestId?: string;
  readonly model?: string;
  readonly account?: string;
  /** A key fingerprint (id, hash prefix, last four), never a key. */
  readonly apiKeyId?: string;
  readonly endpoint?: string;
  readonly method?: string;
  readonly app?: string;
  readonly environment?: string;
  /** ISO-8601 UTC; when absent, the receive time stands in. */
  readonly occurredAt?: string;
  /** `error.type` / `error.code` of a Fireworks/OpenAI-compatible error body. */
  readonly errorType?: string;
  readonly errorCode?: string;
  readonly provider?: Provider;
  readonly source?: EventSource;
}

/**
 * The schemas are built on first use, not at import: building zod schemas costs milliseconds of every cold
 * start, and the common paths never need them (normalize's fast path, the sweep, log extraction).
 */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

const statusValue = () =>
  z.unknown().check(
    z.refine(
      (value) => isHttpStatus(typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value),
      {
        error: `expected an integer HTTP status from ${MIN_STATUS} to ${MAX_STATUS}`,
      },
    ),
  );

/**
 * Longest accepted text fields (zod counts code points, so a longer UTF-16 string may still pass) and the
 * patterns of `id` and `method`: shared by the schema and normalize's fast path.
 */
export const TEXT_LIMITS = {
  id: 128,
  requestId: 256,
  model: 256,
  account: 128,
  apiKeyId: 128,
  endpoint: 512,
  method: 16,
  app: 128,
  environment: 64,
} as const;
export const ID_PATTERN = /^[\x21-\x7e]+$/;
export const METHOD_PATTERN = /^[A-Za-z]+$/;

const text = (name: keyof typeof TEXT_LIMITS, max: number = TEXT_LIMITS[name]) =>
  z
    .string({ error: `${name} must be a string` })
    .check(
      z.minLength(1, `${name} must not be empty`),
      z.maxLength(max, `${name} must be at most ${max} characters`),
    );

const occurredAtValue = () =>
  z
    .union([z.string(), z.number()], {
      error: 'occurredAt must be an ISO-8601 date-time string or epoch milliseconds',
    })
    .check(
      z.refine((value) => parseTime(value) !== undefined, {
        error:
          'occurredAt must be a valid ISO-8601 date-time with a time zone (e.g. 2026-11-25T15:00:00Z) or epoch milliseconds',
      }),
    );

const headersValue = () =>
  z.record(
    z.string(),
    z.union([z.string(), z.number(), z.array(z.string())], { error: 'header values must be strings' }),
    { error: 'headers must be an object of header names to values' },
  );

/** Fields of the canonical event as they may arrive (all optional here; status is checked on the whole). */
const canonicalFields = () => ({
  id: z.optional(
    text('id').check(
      z.regex(ID_PATTERN, 'id must be printable ASCII without spaces'),
      // Ids are stored, logged and echoed in the 202: one that carries a credential is refused, not kept.
      z.refine((value) => !looksLikeSecret(value), {
        error: 'id must not contain a credential (an API key, token or password): ids are stored and echoed',
      }),
    ),
  ),
  status: z.optional(statusValue()),
  message: z.optional(z.string({ error: 'message must be a string' })),
  requestId: z.optional(text('requestId')),
  model: z.optional(text('model')),
  account: z.optional(text('account')),
  apiKeyId: z.optional(
    text('apiKeyId').check(
      z.refine((value) => !looksLikeSecret(value), {
        error:
          'apiKeyId must be a key fingerprint (key id, hash prefix or last four), never the API key itself',
      }),
    ),
  ),
  endpoint: z.optional(text('endpoint')),
  method: z.optional(
    text('method').check(z.regex(METHOD_PATTERN, 'method must be an HTTP method name such as POST')),
  ),
  app: z.optional(text('app')),
  environment: z.optional(text('environment')),
  occurredAt: z.optional(occurredAtValue()),
  provider: z.optional(
    z.enum(['fireworks', 'other', 'unknown'], {
      error: 'provider must be "fireworks", "other" or "unknown"',
    }),
  ),
});

/**
 * One event as accepted on the wire: the canonical fields, optionally with what an app has in hand
 * after a failed call — the HTTP status (`status` or `statusCode`), the error `body` (object or JSON
 * text) and the response `headers` (for `x-request-id`).
 */
export const incomingEventSchema = once(() =>
  z
    .object({
      ...canonicalFields(),
      statusCode: z.optional(statusValue()),
      body: z.optional(
        z.union([z.string(), z.record(z.string(), z.unknown())], {
          error: 'body must be an object or a string',
        }),
      ),
      headers: z.optional(headersValue()),
    })
    .check(
      z.refine(
        (event) => event.status !== undefined || event.statusCode !== undefined || hasBodyStatus(event.body),
        {
          error: 'status is required: the HTTP status code of the failed Fireworks API call',
          path: ['status'],
        },
      ),
    ),
);

export type IncomingEvent = z.infer<ReturnType<typeof incomingEventSchema>>;

export function hasBodyStatus(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const error = (body as Record<string, unknown>).error;
  const status = error && typeof error === 'object' ? (error as Record<string, unknown>).status : undefined;
  return isHttpStatus(status);
}

/** The number written by `count` ASCII digits at `start`; NaN when one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return n;
}

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;

/** Days from 1970-01-01 to a valid proleptic Gregorian date with year ≥ 1 (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Epoch ms of a valid time in exactly the layout `toISOString` writes (`2026-11-25T15:00:00.000Z`), in
 * integer arithmetic (no regex, `Date.parse` or `Date`): nearly every event time looks like this, and the
 * policy reads each one again. Any other layout, or a field out of range, gives undefined and the general
 * parser decides.
 */
function isoLayoutMs(value: string): number | undefined {
  if (
    value.length !== 24 ||
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(19) !== 46 || // .
    value.charCodeAt(23) !== 90 // Z
  )
    return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  const ms = digitsAt(value, 20, 3);
  // NaN fails every comparison. The general parser's day check reads years 0–99 as 1900–1999: they take its path.
  if (
    !(year >= 100 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59) ||
    !(ms >= 0) ||
    day > daysIn(year, month)
  )
    return undefined;
  return (
    daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms
  );
}

/** Epoch ms for an ISO-8601 date-time with zone, or epoch milliseconds; undefined when not a valid time. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 && value < 8.64e15 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  return isoLayoutMs(value) ?? parseTimeText(value);
}

/** The canonical form of a valid time (`toISOString` of {@link parseTime}); undefined when not a valid time. */
export function toIsoTime(value: unknown): string | undefined {
  // Already canonical: toISOString would write the same characters.
  if (typeof value === 'string' && isoLayoutMs(value) !== undefined) return value;
  const ms = parseTime(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The general parser behind {@link parseTime}: any ISO-8601 date-time with a zone. */
export function parseTimeText(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(value))
    return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: reject dates that do not survive the round trip.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, d));
  return check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? ms : undefined;
}

/** Canonical events already normalized (on the queue, on stdin of `simulate`): validated again, strictly. */
export const canonicalEventSchema = once(() =>
  z.object({
    ...canonicalFields(),
    id: text('id'),
    status: z.int({ error: 'status must be an integer' }).check(z.minimum(MIN_STATUS), z.maximum(MAX_STATUS)),
    message: z.optional(z.string().check(z.maxLength(LIMITS.maxMessageChars))),
    messageTruncated: z.optional(z.literal(true)),
    occurredAt: z.optional(z.iso.datetime()),
    errorType: z.optional(z.string().check(z.maxLength(256))),
    errorCode: z.optional(z.string().check(z.maxLength(256))),
    source: z.optional(z.enum(['webhook', 'logs'])),
  }),
);
