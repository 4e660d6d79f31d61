import fc from 'fast-check';
import { ValidationError } from '../../../functions/core/errors';
import type { TriageEvent } from '../../../functions/core/event';
import { MAX_MESSAGE_BYTES, packEvents, parseQueueMessage } from '../../../functions/core/queue-message';

const event = (n: number, message = 'Service Unavailable'): TriageEvent => ({
  id: `e-${n}`,
  status: 503,
  message,
});

describe('queue-message', () => {
  it('packs a batch into one message when it fits, and parses it back', () => {
    const events = [event(1), event(2)];
    const bodies = packEvents(events, { batchPrefix: 'b', receivedAt: 1_000 });
    expect(bodies).toHaveLength(1);
    expect(parseQueueMessage(bodies[0] as string)).toEqual({
      v: 1,
      batchId: 'b-0',
      receivedAt: 1_000,
      events,
    });
  });

  it('gives back every event as it was packed, read by hand or by the schema', () => {
    const value = fc.constantFrom(undefined, 'a', 'acme', 'x'.repeat(40));
    const anEvent = fc.record({
      model: value,
      account: value,
      app: value,
      // Microseconds are valid but not read by the hand-written check: such events go through the schema.
      occurredAt: fc.constantFrom(undefined, '2026-11-25T15:00:00.000Z', '2026-11-25T15:00:00.000001Z'),
    });
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 20 }), (fields) => {
        const events = fields.map((f, n) => {
          const e: Record<string, unknown> = { id: `e-${n}`, status: 503 };
          for (const [key, v] of Object.entries(f)) if (v !== undefined) e[key] = v;
          return e as unknown as TriageEvent;
        });
        const [body] = packEvents(events, { batchPrefix: 'm', receivedAt: 1 });
        expect(parseQueueMessage(body as string).events).toEqual(events);
      }),
      { numRuns: 200 },
    );
  });

  it('splits large batches into messages under the SQS limit, keeping order and stable ids', () => {
    const events = Array.from({ length: 500 }, (_, n) => event(n, 'x'.repeat(4000)));
    const bodies = packEvents(events, { batchPrefix: 'req-7', receivedAt: 1 });
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const parsed = bodies.map(parseQueueMessage);
    expect(parsed.map((m) => m.batchId)).toEqual(bodies.map((_, n) => `req-7-${n}`));
    expect(parsed.flatMap((m) => m.events)).toEqual(events);
    expect(packEvents(events, { batchPrefix: 'req-7', receivedAt: 1 })).toEqual(bodies);
  });

  it.each([
    ['not json', /not JSON/],
    ['{"v":2,"batchId":"b","receivedAt":1,"events":[{"id":"a","status":500}]}', /v: v must be 1/],
    ['{"v":1,"batchId":"b","receivedAt":1,"events":[]}', /events/],
    ['{"v":1,"batchId":"b","receivedAt":1,"events":[{"id":"a","status":700}]}', /events\[0\]\.status/],
  ])('rejects %s', (body, message) => {
    expect(() => parseQueueMessage(body)).toThrow(ValidationError);
    expect(() => parseQueueMessage(body)).toThrow(message);
  });
});
