import * as z from 'zod/mini';
import { ValidationError } from '../errors';
import type { TriageEvent } from '../event';
import { issuesToFieldErrors } from '../normalize';
import { type CountMode, counts } from './attribution';
import { extractFromLine } from './extract-line';
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

/** Validate a decoded payload; throws ValidationError naming the fields that are wrong. */
export function parseLogsPayload(decoded: unknown): LogsPayload {
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
  /** Which errors this log group counts (attribution.ts CountMode). */
  readonly count: CountMode;
}

export interface LogsExtraction {
  readonly events: TriageEvent[];
  readonly linesScanned: number;
  /** Error lines found but left out by the log group's count mode (another provider, a non-LLM service). */
  readonly notCounted: number;
}

/** Every counted error event in one payload, in log order; each event's id is its log event's id. */
export function extractFromLogsPayload(payload: LogsPayload, options: LogsExtractionOptions): LogsExtraction {
  const events: TriageEvent[] = [];
  let notCounted = 0;
  if (payload.messageType !== 'DATA_MESSAGE') return { events, linesScanned: 0, notCounted };
  const { logEvents, logGroup } = payload;
  const logGroupApp = appFromLogGroup(logGroup);
  for (const logEvent of logEvents) {
    const extraction = extractFromLine(logEvent.message);
    if (!extraction) continue;
    if (!counts(extraction, options.count)) {
      notCounted++;
      continue;
    }
    events.push(
      toTriageEvent(extraction, { id: logEvent.id, timestamp: logEvent.timestamp, logGroup, logGroupApp }),
    );
  }
  return { events, linesScanned: logEvents.length, notCounted };
}
