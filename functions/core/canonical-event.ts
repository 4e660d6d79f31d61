import { isoLayoutMs, LIMITS, METHOD_PATTERN, TEXT_LIMITS, type TriageEvent } from './event';
import { looksLikeSecret } from './redact';

/**
 * Reading canonical events without zod. Every queue message holds up to a few hundred canonical events
 * that the ingest function wrote; validating each with the zod schema was the triage function's largest
 * cost per event. The common case is checked here by hand; anything
 * unusual, and every invalid event, goes to the schema, which decides and words the error.
 */

/** Where {@link readCanonicalEvent} puts the event time it read: epoch ms of `occurredAt`, if any. */
export interface ReadTime {
  time: number | undefined;
}

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max;

const isShortString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

/**
 * The event itself when `input` is a canonical event that the schema (`canonicalEventSchema`) accepts
 * as it is: an object of canonical fields only, each valid, `occurredAt` (if any) in the exact layout
 * `toISOString` writes; `read.time` gets the epoch ms of its `occurredAt`. Undefined when the schema must
 * decide: an unknown key, an invalid value, or a valid one this path does not read (such as a time with
 * microseconds, or a text whose UTF-16 length is over the limit but whose code points are not).
 */
export function readCanonicalEvent(input: unknown, read: ReadTime): TriageEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const event = input as Record<string, unknown>;
  let time: number | undefined;
  let required = 0;
  for (const key in event) {
    const value = event[key];
    switch (key) {
      case 'id':
        if (!isText(value, TEXT_LIMITS.id)) return undefined;
        required++;
        break;
      case 'status':
        if (!(typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599))
          return undefined;
        required++;
        break;
      case 'message':
        if (!isShortString(value, LIMITS.maxMessageChars)) return undefined;
        break;
      case 'messageTruncated':
        if (value !== true) return undefined;
        break;
      case 'requestId':
        if (!isText(value, TEXT_LIMITS.requestId)) return undefined;
        break;
      case 'model':
        if (!isText(value, TEXT_LIMITS.model)) return undefined;
        break;
      case 'account':
        if (!isText(value, TEXT_LIMITS.account)) return undefined;
        break;
      case 'apiKeyId':
        if (!isText(value, TEXT_LIMITS.apiKeyId) || looksLikeSecret(value)) return undefined;
        break;
      case 'endpoint':
        if (!isText(value, TEXT_LIMITS.endpoint)) return undefined;
        break;
      case 'method':
        if (!isText(value, TEXT_LIMITS.method) || !METHOD_PATTERN.test(value)) return undefined;
        break;
      case 'app':
        if (!isText(value, TEXT_LIMITS.app)) return undefined;
        break;
      case 'environment':
        if (!isText(value, TEXT_LIMITS.environment)) return undefined;
        break;
      case 'occurredAt':
        if (typeof value !== 'string') return undefined;
        time = isoLayoutMs(value);
        if (time === undefined) return undefined;
        break;
      case 'errorType':
      case 'errorCode':
        if (!isShortString(value, 256)) return undefined;
        break;
      case 'provider':
        if (value !== 'fireworks' && value !== 'unknown') return undefined;
        break;
      case 'source':
        if (value !== 'webhook' && value !== 'logs') return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (required !== 2) return undefined;
  read.time = time;
  return event as unknown as TriageEvent;
}
