import fc from 'fast-check';
import { ValidationError } from '../../../functions/core/errors';
import { LIMITS, parseTime, parseTimeText, toIsoTime } from '../../../functions/core/event';
import {
  normalizeBody,
  normalizeEvent,
  parseCanonicalEvent,
  TooManyEventsError,
} from '../../../functions/core/normalize';

let counter = 0;
const options = { newId: () => `gen-${++counter}`, source: 'webhook' as const };

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('normalize', () => {
  describe('canonical events', () => {
    it('keeps the documented fields and drops unknown ones', () => {
      const event = normalizeEvent(
        {
          id: 'client-1',
          status: 503,
          message: 'Service Unavailable',
          requestId: 'req-1',
          model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
          account: 'acme',
          apiKeyId: 'key_1a2b',
          endpoint: '/inference/v1/chat/completions',
          method: 'post',
          app: 'checkout',
          environment: 'prod',
          occurredAt: '2026-11-25T15:00:00+01:00',
          extra: 'dropped',
        },
        options,
      );
      expect(event).toEqual({
        id: 'client-1',
        status: 503,
        message: 'Service Unavailable',
        requestId: 'req-1',
        model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
        account: 'acme',
        apiKeyId: 'key_1a2b',
        endpoint: '/inference/v1/chat/completions',
        method: 'POST',
        app: 'checkout',
        environment: 'prod',
        occurredAt: '2026-11-25T14:00:00.000Z',
        source: 'webhook',
      });
    });

    it('needs only a status, and generates an id', () => {
      const event = normalizeEvent({ status: 500 }, options);
      expect(event.status).toBe(500);
      expect(event.id).toMatch(/^gen-\d+$/);
    });

    it('accepts a three-digit string status and epoch-millisecond times', () => {
      const event = normalizeEvent({ status: '429', occurredAt: Date.UTC(2026, 10, 25) }, options);
      expect(event.status).toBe(429);
      expect(event.occurredAt).toBe('2026-11-25T00:00:00.000Z');
    });

    it('truncates long messages and marks them', () => {
      const event = normalizeEvent(
        { status: 400, message: 'x'.repeat(LIMITS.maxMessageChars + 10) },
        options,
      );
      expect(event.message).toHaveLength(LIMITS.maxMessageChars);
      expect(event.messageTruncated).toBe(true);
    });

    it('redacts secrets in messages', () => {
      const event = normalizeEvent({ status: 401, message: 'bad key fw_ABCDEFGHIJKLMNOPQRSTUV' }, options);
      expect(event.message).not.toContain('fw_ABCDEFGHIJKLMNOPQRSTUV');
    });
  });

  describe('error responses an app has in hand', () => {
    it('reads status, message, type, code and x-request-id', () => {
      const event = normalizeEvent(
        {
          status: 429,
          body: { error: { message: 'Rate limit exceeded', type: 'rate_limit_error', code: 'RATE_LIMIT' } },
          headers: { 'X-Request-Id': 'abc-123', authorization: 'Bearer fw_ABCDEFGHIJKLMNOPQRST' },
          model: 'accounts/fireworks/models/x',
        },
        options,
      );
      expect(event).toMatchObject({
        status: 429,
        message: 'Rate limit exceeded',
        errorType: 'rate_limit_error',
        errorCode: 'RATE_LIMIT',
        requestId: 'abc-123',
        model: 'accounts/fireworks/models/x',
      });
      expect(JSON.stringify(event)).not.toContain('fw_ABCDEFGHIJKLMNOPQRST');
    });

    it('parses a body given as JSON text, and takes statusCode', () => {
      const event = normalizeEvent(
        { statusCode: 404, body: '{"error":{"message":"Model not found"}}' },
        options,
      );
      expect(event).toMatchObject({ status: 404, message: 'Model not found' });
    });

    it('keeps a plain-text body as the message', () => {
      expect(normalizeEvent({ status: 502, body: 'upstream connect error' }, options).message).toBe(
        'upstream connect error',
      );
    });
  });

  describe('rejections name the field', () => {
    it.each([
      [{}, 'status', /required/],
      [{ status: 'abc' }, 'status', /integer HTTP status/],
      [{ status: 600 }, 'status', /100 to 599/],
      [{ status: 503, occurredAt: '2026-02-30T10:00:00Z' }, 'occurredAt', /valid ISO-8601/],
      [{ status: 503, occurredAt: 'yesterday' }, 'occurredAt', /ISO-8601/],
      [{ status: 503, occurredAt: true }, 'occurredAt', /ISO-8601/],
      [{ status: 503, apiKeyId: 'fw_ABCDEFGHIJKLMNOPQRSTUVWX' }, 'apiKeyId', /fingerprint/],
      [{ status: 503, model: 42 }, 'model', /string/],
      [{ status: 503, account: 'a'.repeat(129) }, 'account', /at most 128/],
      [{ status: 503, method: 'PO ST' }, 'method', /HTTP method/],
      [{ status: 503, headers: 'x' }, 'headers', /object/],
    ])('%j → %s', (input, path, message) => {
      const error = rejection(() => normalizeEvent(input, options));
      expect(error.details).toEqual(
        expect.arrayContaining([{ path, message: expect.stringMatching(message) }]),
      );
    });

    it('rejects something that is not an object', () => {
      expect(rejection(() => normalizeEvent('503', options)).details[0]?.message).toBe('expected an object');
    });
  });

  describe('request bodies', () => {
    it('accepts one event, an array, or {events: [...]}', () => {
      expect(normalizeBody({ status: 500 }, options)).toHaveLength(1);
      expect(normalizeBody([{ status: 500 }, { status: 503 }], options)).toHaveLength(2);
      expect(normalizeBody({ events: [{ status: 401 }] }, options)).toHaveLength(1);
    });

    it('rejects the whole batch, naming every bad item and field', () => {
      const error = rejection(() =>
        normalizeBody({ events: [{ status: 500 }, { status: 'x' }, { status: 503, model: 1 }] }, options),
      );
      expect(error.message).toMatch(/2 of 3 events are invalid/);
      expect(error.details.map((d) => d.path)).toEqual(['events[1].status', 'events[2].model']);
    });

    it('rejects an empty batch and a non-array events field', () => {
      expect(rejection(() => normalizeBody([], options)).message).toMatch(/at least one/);
      expect(rejection(() => normalizeBody({ events: {} }, options)).details[0]?.path).toBe('events');
    });

    it('refuses more than 500 events with a 413', () => {
      const events = Array.from({ length: LIMITS.maxEventsPerRequest + 1 }, () => ({ status: 503 }));
      expect(() => normalizeBody(events, options)).toThrow(TooManyEventsError);
      expect(normalizeBody(events.slice(1), options)).toHaveLength(500);
    });
  });

  describe('properties', () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const eventLike = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer()),
        status: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.string(), fc.constant(null)),
        message: fc.oneof(fc.string(), fc.integer()),
        model: fc.string(),
        account: fc.string(),
        occurredAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          fc.integer(),
        ),
        headers: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        body: fc.oneof(anyJson, fc.string()),
        ['__proto__']: anyJson,
        constructor: anyJson,
      },
      { requiredKeys: [] },
    );

    const text = fc.string({ minLength: 1, maxLength: 40 });
    /** Mostly-valid events, so that acceptance is exercised as much as rejection. */
    const plausible = fc.record(
      {
        id: text.filter((t) => /^[\x21-\x7e]+$/.test(t)),
        status: fc.integer({ min: 100, max: 599 }),
        message: fc.string({ maxLength: 5000 }),
        model: text,
        account: text,
        app: text,
        apiKeyId: text,
        occurredAt: fc
          .date({
            noInvalidDate: true,
            min: new Date(Date.UTC(1970, 0, 2)),
            max: new Date(Date.UTC(2100, 0, 1)),
          })
          .map((d) => d.toISOString()),
        headers: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))),
        body: fc.oneof(
          fc.record({
            error: fc.record(
              { message: fc.string(), type: fc.string(), code: fc.oneof(fc.string(), fc.integer()) },
              { requiredKeys: [] },
            ),
          }),
          fc.string(),
        ),
      },
      { requiredKeys: ['status'] },
    );

    it('accepts most plausible events (the generator exercises the accepting path)', () => {
      const accepted = fc.sample(plausible, 200).filter((input) => {
        try {
          normalizeBody(input, options);
          return true;
        } catch {
          return false;
        }
      });
      expect(accepted.length).toBeGreaterThan(100);
    });

    it('never crashes: every input is accepted or rejected with a message', () => {
      fc.assert(
        fc.property(
          fc.oneof(anyJson, eventLike, plausible, fc.array(fc.oneof(eventLike, plausible), { maxLength: 5 })),
          (input) => {
            try {
              normalizeBody(input, options);
            } catch (error) {
              expect(error).toBeInstanceOf(ValidationError);
              expect((error as ValidationError).message.length).toBeGreaterThan(0);
              for (const detail of (error as ValidationError).details)
                expect(detail.message.length).toBeGreaterThan(0);
            }
          },
        ),
        { numRuns: 500 },
      );
    });

    it('every accepted event re-validates as a canonical event', () => {
      fc.assert(
        fc.property(fc.oneof(plausible, eventLike), (input) => {
          let events: ReturnType<typeof normalizeBody>;
          try {
            events = normalizeBody(input, options);
          } catch {
            return;
          }
          for (const event of events)
            expect(parseCanonicalEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('event time', () => {
    const digits = (n: number, max: number) =>
      fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
    /** Strings in and around the layout toISOString writes: every field in and out of range. */
    const isoLike = fc
      .tuple(
        fc.oneof(
          digits(4, 9999),
          fc.constantFrom('0000', '0099', '0100', '0400', '1900', '2000', '2100', '2400'),
        ),
        digits(2, 13),
        fc.oneof(digits(2, 32), fc.constantFrom('00', '28', '29', '30', '31')),
        fc.oneof({ weight: 8, arbitrary: fc.constant('T') }, fc.constantFrom('t', ' ')),
        digits(2, 25),
        digits(2, 60),
        digits(2, 60),
        fc.oneof({ weight: 8, arbitrary: fc.constant('.') }, fc.constant(',')),
        digits(3, 999),
        fc.oneof({ weight: 8, arbitrary: fc.constant('Z') }, fc.constantFrom('z', '+01:00', '', 'ZZ')),
      )
      .map(
        ([y, mo, d, t, h, mi, s, dot, ms, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${dot}${ms}${zone}`,
      );
    const anyTime = fc.oneof(
      isoLike,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
    );

    it('parseTime reads the toISOString layout exactly as the general parser does', () => {
      fc.assert(
        fc.property(anyTime, (value) => {
          expect(parseTime(value)).toBe(parseTimeText(value));
        }),
        { numRuns: 5000 },
      );
    });

    it('toIsoTime is the ISO string of the parsed time, for strings and epoch milliseconds', () => {
      fc.assert(
        fc.property(fc.oneof(anyTime, fc.integer({ min: -5, max: 9e15 }), fc.double()), (value) => {
          const ms = typeof value === 'string' ? parseTimeText(value) : parseTime(value);
          expect(toIsoTime(value)).toBe(ms === undefined ? undefined : new Date(ms).toISOString());
        }),
        { numRuns: 5000 },
      );
    });

    it('agrees with the general parser on every month end of leap and century years', () => {
      for (const year of ['0100', '0400', '1900', '2000', '2024', '2026', '2100', '2400'])
        for (let month = 1; month <= 12; month++)
          for (const day of ['28', '29', '30', '31', '32']) {
            const value = `${year}-${String(month).padStart(2, '0')}-${day}T23:59:59.999Z`;
            expect([value, parseTime(value)]).toEqual([value, parseTimeText(value)]);
          }
    });

    it('rejects impossible dates and keeps leap days', () => {
      expect(parseTime('2026-02-29T10:00:00.000Z')).toBeUndefined();
      expect(parseTime('2024-02-29T10:00:00.000Z')).toBe(Date.UTC(2024, 1, 29, 10));
      expect(parseTime('2026-11-31T00:00:00.000Z')).toBeUndefined();
      expect(toIsoTime('2026-11-25T15:00:00+01:00')).toBe('2026-11-25T14:00:00.000Z');
    });
  });
});
