import { LIMITS, type TriageEvent } from '../event';
import { wellFormedText } from '../safe-text';
import type { LineExtraction } from './line-extraction';

export interface LogEventContext {
  /** The CloudWatch log event id: stable across redelivery, so it is the event's idempotency key. */
  readonly id: string;
  /** The log event's timestamp (epoch ms): when the error happened, as near as the logs know. */
  readonly timestamp?: number;
  readonly logGroup?: string;
  /** `appFromLogGroup(logGroup)`, when the caller worked it out once for a whole payload. */
  readonly logGroupApp?: string | undefined;
}

/**
 * The app a log group belongs to: `/aws/lambda/checkout-api` → `checkout-api`,
 * `/ecs/checkout/prod` → `ecs/checkout/prod` (other services' groups keep their path, minus the slash).
 */
export function appFromLogGroup(logGroup: string): string | undefined {
  const app = logGroup
    .replace(/^\/aws\/(?:lambda|apprunner|ecs|eks|containerinsights|elasticbeanstalk|vendedlogs)\//, '')
    .replace(/^\/+/, '')
    .slice(0, 128);
  return app.length > 0 ? app : undefined;
}

/** The ISO time of a log event's timestamp, when it is a valid time. */
export function isoTime(timestamp: number | undefined): string | undefined {
  if (timestamp === undefined || !Number.isFinite(timestamp) || timestamp <= 0 || timestamp >= 8.64e15)
    return undefined;
  return new Date(timestamp).toISOString();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The canonical event for one extracted log line (`source: 'logs'`), within the canonical limits. */
export function toTriageEvent(
  extraction: Omit<LineExtraction, 'evidence'>,
  context: LogEventContext,
): TriageEvent {
  const event = {} as Mutable<TriageEvent>;
  event.id = context.id.length > 128 ? context.id.slice(0, 128) : context.id;
  event.status = extraction.status;
  event.provider = extraction.provider;
  if (extraction.requestId !== undefined) event.requestId = wellFormedText(extraction.requestId);
  if (extraction.model !== undefined) event.model = wellFormedText(extraction.model);
  if (extraction.account !== undefined) event.account = wellFormedText(extraction.account);
  if (extraction.endpoint !== undefined) event.endpoint = wellFormedText(extraction.endpoint);
  if (extraction.method !== undefined) event.method = wellFormedText(extraction.method);
  if (extraction.errorType !== undefined) event.errorType = wellFormedText(extraction.errorType);
  if (extraction.errorCode !== undefined) event.errorCode = wellFormedText(extraction.errorCode);
  if (extraction.environment !== undefined) event.environment = wellFormedText(extraction.environment);
  // A JSON log line may hold escaped lone surrogates: every text is made safe for the queue and the table.
  const message = extraction.message === undefined ? undefined : wellFormedText(extraction.message);
  if (message !== undefined) {
    if (message.length > LIMITS.maxMessageChars) {
      event.message = message.slice(0, LIMITS.maxMessageChars);
      event.messageTruncated = true;
    } else {
      event.message = message;
    }
  }
  const app =
    extraction.app ??
    ('logGroupApp' in context
      ? context.logGroupApp
      : context.logGroup === undefined
        ? undefined
        : appFromLogGroup(context.logGroup));
  if (app !== undefined) event.app = wellFormedText(app);
  const occurredAt = isoTime(context.timestamp);
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  event.source = 'logs';
  return event;
}
