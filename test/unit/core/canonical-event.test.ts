import fc from 'fast-check';
import { mixedEvents } from '../../../bench/fixtures/mixed-events';
import { type ReadTime, readCanonicalEvent } from '../../../functions/core/canonical-event';
import { canonicalEventSchema, parseTime } from '../../../functions/core/event';
import { normalizeBody } from '../../../functions/core/normalize';
import { packEvents, parseQueueMessage } from '../../../functions/core/queue-message';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);

/** Mostly a valid value, an edge once in ~15: about half the generated events are valid. */
const field = (valid: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: edge });
const surrogates = (units: number) => '😀'.repeat(Math.ceil(units / 2)).slice(0, units);
const notText = fc.constantFrom(null, true, 1, [], {}, 1.5);
const text = (max: number) =>
  field(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.oneof(notText, fc.constantFrom('', 'a'.repeat(max), 'a'.repeat(max + 1), surrogates(max + 2))),
  );
const time = field(
  fc
    .date({ noInvalidDate: true, min: new Date(Date.UTC(1970, 0, 2)), max: new Date(Date.UTC(9999, 11, 31)) })
    .map((d) => d.toISOString()),
  fc.oneof(
    fc
      .date({ noInvalidDate: true, min: new Date(Date.UTC(-50, 0, 1)), max: new Date(Date.UTC(200, 0, 1)) })
      .map((d) => d.toISOString()),
    fc.constantFrom(
      '2026-11-25T15:00:00Z',
      '2026-11-25T15:00:00.123456Z',
      '2026-11-25T15:00:00.000+01:00',
      '2026-02-29T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
      '2026-11-25T24:00:00.000Z',
      '2026-11-25 15:00:00.000Z',
      1_700_000_000_000,
      '',
    ),
  ),
);
const FIELDS = {
  id: text(128),
  status: field(fc.integer({ min: 100, max: 599 }), fc.constantFrom(99, 600, 429.5, '503', Number.NaN, null)),
  message: field(fc.string({ maxLength: 40 }), fc.constantFrom('m'.repeat(4097), 7, null)),
  messageTruncated: field(fc.constant(true), fc.constantFrom(false, 'true', 1)),
  requestId: text(256),
  model: text(256),
  account: text(128),
  apiKeyId: field(
    fc.constantFrom('key_abc123', 'sha256:0f1e2d3c', '…a1b2'),
    fc.constantFrom('fw_3ZkLq8XyT2vBn5Rm1Pc7Wd9F', 'sk-abcdefghijklmnopqrstuvwxyz012345', ''),
  ),
  endpoint: text(512),
  method: field(fc.constantFrom('POST', 'get'), fc.constantFrom('PO ST', '', 'x'.repeat(17), 3)),
  app: text(128),
  environment: text(64),
  occurredAt: time,
  errorType: field(fc.string({ maxLength: 12 }), fc.constantFrom('t'.repeat(257), 1)),
  errorCode: field(fc.string({ maxLength: 12 }), fc.constantFrom('c'.repeat(257), null)),
  provider: field(fc.constantFrom('fireworks', 'unknown'), fc.constantFrom('openai', '')),
  source: field(fc.constantFrom('webhook', 'logs'), fc.constantFrom('cli', null)),
} as const;
/** True once in 20. */
const rarely = fc.integer({ min: 0, max: 19 }).map((n) => n === 0);
const KEYS = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

/** Event-like objects: a random subset of the canonical fields, in random order, sometimes an unknown key. */
const eventLike = fc.record(FIELDS, { requiredKeys: [] }).chain((event) =>
  fc
    .tuple(
      fc.shuffledSubarray(KEYS, { minLength: KEYS.length, maxLength: KEYS.length }),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('extra', '__proto__') },
      ),
      rarely,
      rarely,
    )
    .map(([order, extra, dropId, dropStatus]) => {
      const json: Record<string, unknown> = {};
      for (const key of order) {
        const value = (event as Record<string, unknown>)[key];
        if (value !== undefined && !(key === 'id' && dropId) && !(key === 'status' && dropStatus))
          json[key] = value;
      }
      if (!dropId && json.id === undefined) json.id = 'e-1';
      if (!dropStatus && json.status === undefined) json.status = 503;
      const text = JSON.stringify(json);
      return JSON.parse(extra === undefined ? text : text.replace(/^\{/, `{"${extra}":1,`)) as unknown;
    }),
);

describe('canonical-event: reading canonical events without zod', () => {
  it('accepts only what the schema accepts, gives what the schema gives, and reads the time parseTime reads', () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(eventLike, (input) => {
        runs++;
        const schema = canonicalEventSchema().safeParse(JSON.parse(JSON.stringify(input)));
        const out: ReadTime = { time: -1 };
        const fast = readCanonicalEvent(input, out);
        if (fast === undefined) return;
        read++;
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
        const occurredAt = (fast as { occurredAt?: string }).occurredAt;
        expect(out.time).toBe(occurredAt === undefined ? undefined : parseTime(occurredAt));
      }),
      { numRuns: 3000 },
    );
    // The fast path is the common path, not a rarity the property never reaches.
    expect(read).toBeGreaterThan(runs / 5);
  });

  it.each([
    ['a time with microseconds', { occurredAt: '2026-11-25T15:00:00.123456Z' }],
    ['a time without milliseconds', { occurredAt: '2026-11-25T15:00:00Z' }],
    ['an unknown key', { extra: 1 }],
    ['a message over 4096 UTF-16 units', { message: '😀'.repeat(2049) }],
  ])('leaves %s to the schema', (_name, extra) => {
    expect(readCanonicalEvent({ id: 'a', status: 500, ...extra }, { time: undefined })).toBeUndefined();
  });

  it('reads every event the ingest path makes of the bench mix, as it is on the queue', () => {
    const events = normalizeBody(mixedEvents({ count: 3000, startAt: T0, spanMs: 3_600_000 }).slice(0, 500), {
      newId: () => 'generated-id',
      source: 'webhook',
    });
    const onQueue = JSON.parse(JSON.stringify(events)) as unknown[];
    const out: ReadTime = { time: undefined };
    expect(onQueue.filter((event) => readCanonicalEvent(event, out) === undefined)).toEqual([]);
  });
});

describe('queue-message: both paths', () => {
  it('gives back each event as it was, whether read by hand or by the schema', () => {
    const events = [
      { id: 'a', status: 503, occurredAt: '2026-11-25T15:00:01.250Z' },
      { id: 'b', status: 503 },
      // Valid, but not in toISOString's layout: the schema reads it.
      { id: 'c', status: 500, occurredAt: '2026-11-25T15:00:02Z' },
    ];
    const [body] = packEvents(events, { batchPrefix: 'b', receivedAt: T0 });
    const message = parseQueueMessage(body as string);
    expect(message).toEqual({ v: 1, batchId: 'b-0', receivedAt: T0, events });
  });
});
