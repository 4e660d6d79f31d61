import * as z from 'zod/mini';
import { ValidationError } from './errors';
import type { TriageEvent } from './event';
import { issuesToFieldErrors, parseCanonicalEvent } from './normalize';
import type { EventBatch } from './policy/types';

/** SQS allows 256 KiB per message (and per SendMessageBatch call); leave room for attributes and envelope. */
export const MAX_MESSAGE_BYTES = 250 * 1024;

/** The body of one message on the events queue: a batch of canonical events, the unit of idempotency. */
export interface QueueMessageBody extends EventBatch {
  readonly v: 1;
}

const buildBodySchema = () =>
  z.object({
    v: z.literal(1, { error: 'v must be 1 (the queue message format version)' }),
    batchId: z.string().check(z.minLength(1), z.maxLength(256)),
    receivedAt: z.number().check(z.int(), z.positive()),
    events: z.array(z.unknown()).check(z.minLength(1)),
  });

/** Built on first use: only the triage function parses queue messages, and building it at import costs every cold start. */
let bodySchema: ReturnType<typeof buildBodySchema> | undefined;

/**
 * JSON that SQS takes as it is. SQS allows only #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and
 * #x10000–#x10FFFF in a message: JSON.stringify already escapes controls and lone surrogates, and this
 * also escapes U+FFFE, U+FFFF and characters outside the BMP (which SQS allows but the local emulator
 * refuses), so an accepted event can always be queued. JSON.parse reads the escapes back unchanged.
 */
export function queueSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\ud800-\udbff][\udc00-\udfff]|[\ufffe\uffff]/g, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}

/** The start of a queue message body, up to its events: `{"v":1,"batchId":…,"receivedAt":…`. */
export const envelope = (batchId: string, receivedAt: number) =>
  `{"v":1,"batchId":${JSON.stringify(batchId)},"receivedAt":${receivedAt}`;

/**
 * Split events into queue message bodies of at most {@link MAX_MESSAGE_BYTES} each, in order.
 * Batch ids are `<batchPrefix>-<n>`, so a producer that retries with the same prefix produces the same ids.
 */
export function packEvents(
  events: readonly TriageEvent[],
  options: { readonly batchPrefix: string; readonly receivedAt: number; readonly maxBytes?: number },
): string[] {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  const bodies: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  const message = (items: string[], n: number) =>
    `${envelope(`${options.batchPrefix}-${n}`, options.receivedAt)},"events":[${items.join(',')}]}`;
  const overhead = Buffer.byteLength(message([], 99999)) + 1;
  for (const event of events) {
    const text = queueSafeJson(event);
    const bytes = Buffer.byteLength(text) + 1;
    if (bytes + overhead > maxBytes) {
      throw new ValidationError(`event ${event.id} is too large for one queue message (${bytes} bytes)`);
    }
    if (current.length > 0 && currentBytes + bytes + overhead > maxBytes) {
      bodies.push(message(current, bodies.length));
      current = [];
      currentBytes = 0;
    }
    current.push(text);
    currentBytes += bytes;
  }
  if (current.length > 0) bodies.push(message(current, bodies.length));
  return bodies;
}

/** Parse and validate one queue message body; throws ValidationError naming what is wrong. */
export function parseQueueMessage(body: string): QueueMessageBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError(`queue message is not JSON: ${(error as Error).message}`);
  }
  bodySchema ??= buildBodySchema();
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    const details = issuesToFieldErrors('', parsed.error.issues);
    throw new ValidationError(
      `invalid queue message: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const { batchId, receivedAt, events: items } = parsed.data;
  const events = items.map((item, index) => parseCanonicalEvent(item, `events[${index}]`));
  return { v: 1, batchId, receivedAt, events };
}
