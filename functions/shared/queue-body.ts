import { gunzipSync, gzipSync } from 'node:zlib';
import { TriageError, ValidationError } from '../core/errors';
import type { TriageEvent } from '../core/event';
import { envelope, MAX_MESSAGE_BYTES, queueSafeJson } from '../core/queue-message';

/**
 * The wire form of a webhook request on the events queue. A request's events travel in ONE message, so a
 * request is queued whole or not at all (a send happens or fails; there is no second message to fail
 * after the first). The events are plain JSON when they fit (core/queue-message.ts); otherwise they are
 * gzip-compressed and base64-encoded in `gzipEvents` (error events compress 5–10 times), which
 * {@link readQueueBody} turns back into the plain form before the message is parsed.
 */

/** A request's events do not fit one queue message, even compressed: nothing was sent. */
export class BatchTooLargeError extends TriageError {
  override readonly name = 'BatchTooLargeError';
  override readonly statusCode = 413;
}

/** Longest events list a compressed message may inflate to (a 250 KiB message of gzip holds far less). */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/**
 * All of a request's events in one message body, encoded before anything is sent: a request that does not
 * fit even compressed is refused with BatchTooLargeError (a 413).
 */
export function encodeBatch(
  events: readonly TriageEvent[],
  options: { readonly batchId: string; readonly receivedAt: number; readonly maxBytes?: number },
): string {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  const list = `[${events.map(queueSafeJson).join(',')}]`;
  const plain = `${envelope(options.batchId, options.receivedAt)},"events":${list}}`;
  if (Buffer.byteLength(plain) <= maxBytes) return plain;
  const compressed = gzipSync(list).toString('base64');
  const packed = `${envelope(options.batchId, options.receivedAt)},"gzipEvents":"${compressed}"}`;
  if (packed.length <= maxBytes) return packed;
  throw new BatchTooLargeError(
    `the ${events.length} events of this request take ${Buffer.byteLength(list)} bytes (${packed.length} compressed), more than one queue message holds (${maxBytes}); split the batch`,
  );
}

/** A queue message body in its plain form: a compressed one (`gzipEvents`) with its events inflated. */
export function readQueueBody(body: string): string {
  if (!body.includes('"gzipEvents"')) return body;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body; // the parser names what is wrong
  }
  if (json === null || typeof json !== 'object' || !('gzipEvents' in json)) return body;
  const { gzipEvents, ...rest } = json as { gzipEvents: unknown };
  if (typeof gzipEvents !== 'string') throw new ValidationError('gzipEvents must be a base64 string');
  let events: unknown;
  try {
    const list = gunzipSync(Buffer.from(gzipEvents, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES });
    events = JSON.parse(list.toString('utf8'));
  } catch (error) {
    throw new ValidationError(`gzipEvents is not a gzip-compressed JSON list: ${(error as Error).message}`);
  }
  return JSON.stringify({ ...rest, events });
}
