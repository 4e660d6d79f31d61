import fc from 'fast-check';
import { parseTime } from '../../../../functions/core/event';
import { eventTime } from '../../../../functions/core/policy/event-time';

const FALLBACK = -1;

describe('policy event time', () => {
  it('reads the canonical form exactly as parseTime does, whatever the instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
        (ms) => {
          const text = new Date(ms).toISOString();
          expect(eventTime(text, FALLBACK)).toBe(ms);
          expect(eventTime(text, FALLBACK)).toBe(parseTime(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with parseTime on every string of the canonical length, valid or not', () => {
    const char = fc.constantFrom(...'0123456789-:.TZtz+ '.split(''));
    const nearlyCanonical = fc
      .tuple(
        fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
        fc.array(fc.tuple(fc.nat(23), char), { maxLength: 3 }),
      )
      .map(([ms, edits]) => {
        const chars = new Date(ms).toISOString().split('');
        for (const [at, c] of edits) chars[at] = c;
        return chars.join('');
      });
    fc.assert(
      fc.property(nearlyCanonical, (text) => {
        expect(eventTime(text, FALLBACK)).toBe(parseTime(text) ?? FALLBACK);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['2026-02-29T10:00:00.000Z', FALLBACK], // not a leap year
    ['2024-02-29T10:00:00.000Z', Date.UTC(2024, 1, 29, 10)],
    ['2026-04-31T00:00:00.000Z', FALLBACK],
    ['2026-11-25T24:00:00.000Z', parseTime('2026-11-25T24:00:00.000Z') ?? FALLBACK],
    ['2026-11-25T15:60:00.000Z', FALLBACK],
    ['2026-11-25T15:00:60.000Z', FALLBACK],
    ['0099-01-01T00:00:00.000Z', parseTime('0099-01-01T00:00:00.000Z') ?? FALLBACK],
    ['2026-11-25T15:00:00Z', Date.UTC(2026, 10, 25, 15)],
    ['2026-11-25T16:00:00+01:00', Date.UTC(2026, 10, 25, 15)],
    ['not a time', FALLBACK],
  ])('reads %s as %d', (text, expected) => {
    expect(eventTime(text, FALLBACK)).toBe(expected);
  });

  it('uses the fallback when there is no occurredAt', () => {
    expect(eventTime(undefined, 42)).toBe(42);
  });

  it('does not carry a day over to the next string of another day', () => {
    expect(eventTime('2026-11-25T23:59:59.999Z', FALLBACK)).toBe(Date.UTC(2026, 10, 25, 23, 59, 59, 999));
    expect(eventTime('2026-11-26T00:00:00.000Z', FALLBACK)).toBe(Date.UTC(2026, 10, 26));
    expect(eventTime('2026-11-25T00:00:00.001Z', FALLBACK)).toBe(Date.UTC(2026, 10, 25, 0, 0, 0, 1));
  });
});
