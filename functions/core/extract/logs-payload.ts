import * as z from 'zod/mini';
import { ValidationError } from '../errors';
import type { TriageEvent } from '../event';
import { issuesToFieldErrors } from '../normalize';
import { extractFireworksOnly, extractFromLine, NON_FIREWORKS_ERROR } from './extract-line';
import { appFromLogGroup, toTriageEvent } from './to-triage-event';

/**
 * The decoded CloudWatch Logs subscription payload. Validated with zod/mini rather than Powertools
 * parser's CloudWatch envelope, which pulls full `zod` (~450 KB) into the logs function's bundle.
 */
const LogEventSchema = z.object({
  // Control messages carry an empty id; data messages are checked below.
  id: z.string(),
  timestamp: z.number(),
  message: z.string(),
});

export const LogsPayloadSchema = z
  .object({
    messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
    owner: z.optional(z.string()),
    logGroup: z.string(),
    logStream: z.string(),
    subscriptionFilters: z.optional(z.array(z.string())),
    logEvents: z.array(LogEventSchema),
  })
  .check(
    z.refine(
      (payload) =>
        payload.messageType !== 'DATA_MESSAGE' || payload.logEvents.every((event) => event.id.length > 0),
      { error: 'every log event of a DATA_MESSAGE needs an id', path: ['logEvents'] },
    ),
  );

export type LogsPayload = z.infer<typeof LogsPayloadSchema>;

type LogEvent = LogsPayload['logEvents'][number];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Optional keys of the schema: absent or a value, never present as undefined (zod keeps such a key). */
const absentOrString = (object: Record<string, unknown>, key: string): boolean => {
  const value = object[key];
  return value === undefined ? !(key in object) : typeof value === 'string';
};

/**
 * A plain object whose enumerable keys are exactly `id`, `timestamp`, `message`, in that order: what
 * the schema would make of it (JSON.parse gives such objects; property tests give others too).
 */
function hasLogEventKeysOnly(event: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(event) !== Object.prototype) return false;
  let n = 0;
  for (const key in event) {
    if (n === 0 ? key !== 'id' : n === 1 ? key !== 'timestamp' : n !== 2 || key !== 'message') return false;
    n++;
  }
  return n === 3;
}

const copyLogEvent = (event: unknown): LogEvent => {
  const { id, timestamp, message } = event as LogEvent;
  return { id, timestamp, message };
};

/**
 * The fast path of {@link parseLogsPayload}: a payload equal to the one zod makes of a well-formed one
 * (keys in schema order, unknown keys left out; the decoded log events themselves when they already are
 * exactly that), without zod's per-field machinery over tens of thousands of log events; undefined for
 * anything else, and zod decides and names the errors. The unit tests prove it against the schema on
 * generated payloads.
 */
export function readCommonLogsPayload(decoded: unknown): LogsPayload | undefined {
  if (!isObject(decoded)) return undefined;
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = decoded;
  if (
    (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') ||
    !absentOrString(decoded, 'owner') ||
    typeof logGroup !== 'string' ||
    typeof logStream !== 'string' ||
    !Array.isArray(logEvents)
  )
    return undefined;
  let filters: string[] | undefined;
  if (subscriptionFilters !== undefined) {
    if (!Array.isArray(subscriptionFilters)) return undefined;
    filters = [];
    for (let i = 0; i < subscriptionFilters.length; i++) {
      const filter: unknown = subscriptionFilters[i];
      if (typeof filter !== 'string') return undefined;
      filters.push(filter);
    }
  } else if ('subscriptionFilters' in decoded) {
    return undefined;
  }
  const data = messageType === 'DATA_MESSAGE';
  // The decoded log events are kept as they are when each is exactly what the schema makes of it;
  // copied (as zod does) only when one has other keys or another key order.
  let copy = false;
  for (let i = 0; i < logEvents.length; i++) {
    const event: unknown = logEvents[i];
    if (!isObject(event)) return undefined;
    const { id, timestamp, message } = event;
    if (
      typeof id !== 'string' ||
      (data && id.length === 0) ||
      typeof timestamp !== 'number' ||
      !Number.isFinite(timestamp) ||
      typeof message !== 'string'
    )
      return undefined;
    if (!copy && !hasLogEventKeysOnly(event)) copy = true;
  }
  const events: LogEvent[] = copy ? logEvents.map(copyLogEvent) : (logEvents as LogEvent[]);
  const payload: { -readonly [K in keyof LogsPayload]: LogsPayload[K] } = {} as LogsPayload;
  payload.messageType = messageType;
  if (owner !== undefined) payload.owner = owner as string;
  payload.logGroup = logGroup;
  payload.logStream = logStream;
  if (filters !== undefined) payload.subscriptionFilters = filters;
  payload.logEvents = events;
  return payload;
}

/** Validate a decoded payload; throws ValidationError naming the fields that are wrong. */
export function parseLogsPayload(decoded: unknown): LogsPayload {
  const common = readCommonLogsPayload(decoded);
  if (common) return common;
  const parsed = LogsPayloadSchema.safeParse(decoded);
  if (!parsed.success) {
    const details = issuesToFieldErrors('', parsed.error.issues).slice(0, 10);
    throw new ValidationError(
      `invalid CloudWatch Logs payload: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return parsed.data;
}

export interface LogsExtractionOptions {
  /** Count errors whose line does not show Fireworks (provider `unknown`). */
  readonly includeNonFireworks: boolean;
}

export interface LogsExtraction {
  readonly events: TriageEvent[];
  readonly linesScanned: number;
  /** Error lines dropped because they do not show Fireworks and `includeNonFireworks` is off. */
  readonly nonFireworksSkipped: number;
}

/** Log events read per call of {@link extractRange}. */
const CHUNK = 256;

/**
 * The error events of `logEvents[from, to)`, appended to `events`; returns how many non-Fireworks
 * errors it dropped. A function called once per chunk rather than one loop over the whole payload:
 * V8 optimizes it as a function and keeps that code, where a single long loop is compiled on stack
 * (OSR) again for every payload.
 */
function extractRange(
  logEvents: LogsPayload['logEvents'],
  from: number,
  to: number,
  logGroup: string,
  logGroupApp: string | undefined,
  includeNonFireworks: boolean,
  events: TriageEvent[],
): number {
  let skipped = 0;
  for (let i = from; i < to; i++) {
    const logEvent = logEvents[i] as LogEvent;
    // Without the non-Fireworks errors, their fields are not worked out only to be dropped.
    const extraction = includeNonFireworks
      ? extractFromLine(logEvent.message)
      : extractFireworksOnly(logEvent.message);
    if (!extraction) continue;
    if (extraction === NON_FIREWORKS_ERROR) {
      skipped++;
      continue;
    }
    events.push(
      toTriageEvent(extraction, { id: logEvent.id, timestamp: logEvent.timestamp, logGroup, logGroupApp }),
    );
  }
  return skipped;
}

/** Every error event in one payload, in log order; each event's id is its log event's id. */
export function extractFromLogsPayload(payload: LogsPayload, options: LogsExtractionOptions): LogsExtraction {
  const events: TriageEvent[] = [];
  let nonFireworksSkipped = 0;
  if (payload.messageType !== 'DATA_MESSAGE') return { events, linesScanned: 0, nonFireworksSkipped };
  const { logEvents, logGroup } = payload;
  const logGroupApp = appFromLogGroup(logGroup);
  for (let from = 0; from < logEvents.length; from += CHUNK) {
    const to = Math.min(from + CHUNK, logEvents.length);
    nonFireworksSkipped += extractRange(
      logEvents,
      from,
      to,
      logGroup,
      logGroupApp,
      options.includeNonFireworks,
      events,
    );
  }
  return { events, linesScanned: logEvents.length, nonFireworksSkipped };
}
