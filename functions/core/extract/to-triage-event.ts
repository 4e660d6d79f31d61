import { LIMITS, type TriageEvent } from '../event';
import type { LineExtraction } from './line-extraction';

export interface LogEventContext {
  /** The CloudWatch log event id: stable across redelivery, so it is the event's idempotency key. */
  readonly id: string;
  /** The log event's timestamp (epoch ms): when the error happened, as near as the logs know. */
  readonly timestamp?: number;
  readonly logGroup?: string;
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

function isoTime(timestamp: number | undefined): string | undefined {
  if (timestamp === undefined || !Number.isFinite(timestamp) || timestamp <= 0 || timestamp >= 8.64e15)
    return undefined;
  return new Date(timestamp).toISOString();
}

/** The canonical event for one extracted log line (`source: 'logs'`), within the canonical limits. */
export function toTriageEvent(extraction: LineExtraction, context: LogEventContext): TriageEvent {
  const { message, app, ...rest } = extraction;
  const truncated = message !== undefined && message.length > LIMITS.maxMessageChars;
  const event: Record<string, unknown> = {
    id: context.id.slice(0, 128),
    ...rest,
    message: truncated ? message.slice(0, LIMITS.maxMessageChars) : message,
    messageTruncated: truncated ? true : undefined,
    app: app ?? (context.logGroup === undefined ? undefined : appFromLogGroup(context.logGroup)),
    occurredAt: isoTime(context.timestamp),
    source: 'logs',
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event as unknown as TriageEvent;
}
