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
      times: [1_000, 1_000],
      values: { models: [], accounts: [], apps: [] },
    });
  });

  it('names every model, account and app of the events in values, and nothing else', () => {
    // model-xa and model-ya share their length, last and middle characters: one slot of the intern cache.
    const value = fc.constantFrom(undefined, 'a', 'b', 'acme', 'model-xa', 'model-ya', 'x'.repeat(40));
    const anEvent = fc.record({
      model: value,
      account: value,
      app: value,
      // Microseconds are valid but not read by the fast path: such events go through the schema.
      occurredAt: fc.constantFrom(undefined, '2026-11-25T15:00:00.000Z', '2026-11-25T15:00:00.000001Z'),
    });
    const distinct = (values: (string | undefined)[]) =>
      [...new Set(values.filter((v) => v !== undefined))].sort();
    fc.assert(
      fc.property(
        fc.array(fc.array(anEvent, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        (messages) => {
          // Several messages in a row: the interning table is shared, each message's values are its own.
          messages.forEach((fields, m) => {
            const events = fields.map((f, n) => {
              // The time first: an event the fast path gives up on is given up before its other fields.
              const e: Record<string, unknown> = { occurredAt: f.occurredAt, id: `e-${m}-${n}`, status: 503 };
              for (const [key, v] of Object.entries(f)) if (v !== undefined) e[key] = v;
              if (e.occurredAt === undefined) delete e.occurredAt;
              return e as unknown as TriageEvent;
            });
            const [body] = packEvents(events, { batchPrefix: `m${m}`, receivedAt: 1 });
            const { events: parsed, values } = parseQueueMessage(body as string);
            expect(parsed).toEqual(events);
            expect([...new Set(values?.models)].sort()).toEqual(distinct(events.map((e) => e.model)));
            expect([...new Set(values?.accounts)].sort()).toEqual(distinct(events.map((e) => e.account)));
            expect([...new Set(values?.apps)].sort()).toEqual(distinct(events.map((e) => e.app)));
          });
        },
      ),
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
