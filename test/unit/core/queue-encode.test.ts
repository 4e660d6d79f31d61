import fc from 'fast-check';
import type { TriageEvent } from '../../../functions/core/event';
import { MAX_MESSAGE_BYTES, parseQueueMessage, queueSafeJson } from '../../../functions/core/queue-message';
import { BatchTooLargeError, encodeBatch, readQueueBody } from '../../../functions/shared/queue-body';

/** The characters SQS allows in a message body, minus those outside the BMP (the local emulator refuses them). */
const SQS_SAFE = /^[\t\n\r\x20-\ud7ff\ue000-\ufffd]*$/;

describe('queueSafeJson', () => {
  it('writes only characters SQS takes, and JSON.parse reads back the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const value = { a, b, c: '\ufffe\uffff😀\ud800' };
        const text = queueSafeJson(value);
        expect(text).toMatch(SQS_SAFE);
        expect(JSON.parse(text)).toEqual(value);
      }),
    );
  });
});

describe('encodeBatch', () => {
  const event = (n: number, message: string): TriageEvent => ({ id: `e-${n}`, status: 503, message });

  it('writes plain JSON when the events fit one message', () => {
    const body = encodeBatch([event(1, 'boom')], { batchId: 'b', receivedAt: 5 });
    expect(JSON.parse(body)).toEqual({ v: 1, batchId: 'b', receivedAt: 5, events: [event(1, 'boom')] });
  });

  it('compresses events that fit only compressed, and the parser inflates them', () => {
    const events = Array.from({ length: 500 }, (_, n) => event(n, `upstream reset ${'x'.repeat(600)}`));
    const body = encodeBatch(events, { batchId: 'big', receivedAt: 5 });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(JSON.parse(body)).toHaveProperty('gzipEvents');
    expect(body).toMatch(SQS_SAFE);
    const parsed = parseQueueMessage(readQueueBody(body));
    expect(parsed.batchId).toBe('big');
    expect(parsed.events).toEqual(events);
  });

  it('refuses events that do not fit even compressed', () => {
    const events = [event(1, 'a'.repeat(200)), event(2, 'b'.repeat(200))];
    expect(() => encodeBatch(events, { batchId: 'b', receivedAt: 5, maxBytes: 100 })).toThrow(
      BatchTooLargeError,
    );
  });

  it('sends a broken compressed message to the dead-letter queue with a clear reason', () => {
    expect(() => readQueueBody('{"v":1,"batchId":"b","receivedAt":5,"gzipEvents":"bm90IGd6aXA="}')).toThrow(
      /gzipEvents is not a gzip-compressed JSON list/,
    );
  });
});
