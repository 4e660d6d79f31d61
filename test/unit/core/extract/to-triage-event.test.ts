import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { extractFromLine } from '../../../../functions/core/extract/extract-line';
import { appFromLogGroup, isoTime, toTriageEvent } from '../../../../functions/core/extract/to-triage-event';
import { parseCanonicalEvent } from '../../../../functions/core/normalize';

const context = {
  id: '36958219850203462498471299862917237474591424315106869248',
  timestamp: Date.parse('2026-11-25T15:00:00.123Z'),
};

describe('toTriageEvent', () => {
  it('builds a canonical event with the log event id, its time and source "logs"', () => {
    const event = toTriageEvent(
      { status: 503, provider: 'fireworks', model: 'accounts/fireworks/models/x' },
      { ...context, logGroup: '/aws/lambda/checkout-api' },
    );
    expect(event).toEqual({
      id: context.id,
      status: 503,
      provider: 'fireworks',
      model: 'accounts/fireworks/models/x',
      app: 'checkout-api',
      occurredAt: '2026-11-25T15:00:00.123Z',
      source: 'logs',
    });
  });

  it('keeps the app the line names over the log group name', () => {
    const event = toTriageEvent(
      { status: 500, provider: 'unknown', app: 'billing' },
      { ...context, logGroup: '/aws/lambda/x' },
    );
    expect(event.app).toBe('billing');
  });

  it('takes the log group app the caller worked out once, even when there is none', () => {
    const extraction = { status: 500, provider: 'unknown' } as const;
    const group = { ...context, logGroup: '/aws/lambda/checkout-api' };
    expect(toTriageEvent(extraction, { ...group, logGroupApp: appFromLogGroup(group.logGroup) })).toEqual(
      toTriageEvent(extraction, group),
    );
    expect(
      toTriageEvent(extraction, { ...context, logGroup: '///', logGroupApp: undefined }),
    ).not.toHaveProperty('app');
  });

  it('cuts a long message to the canonical limit and says so', () => {
    const event = toTriageEvent({ status: 500, provider: 'unknown', message: 'm'.repeat(5000) }, context);
    expect(event.message).toHaveLength(4096);
    expect(event.messageTruncated).toBe(true);
  });

  it('leaves occurredAt out when the timestamp is not a valid time', () => {
    expect(
      toTriageEvent({ status: 500, provider: 'unknown' }, { id: 'x', timestamp: -1 }),
    ).not.toHaveProperty('occurredAt');
  });

  it('produces events the queue consumer accepts for every error in the corpus', () => {
    const lines = readFileSync(join(__dirname, '../../../fixtures/logs/labelled-lines.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { line: string }).line);
    const events = lines.flatMap((line) => {
      const extraction = extractFromLine(line);
      return extraction ? [toTriageEvent(extraction, { ...context, logGroup: '/aws/lambda/app' })] : [];
    });
    expect(events.length).toBeGreaterThan(100);
    for (const event of events) expect(parseCanonicalEvent(event)).toEqual(event);
  });
});

describe('appFromLogGroup', () => {
  it('drops the AWS service prefix and leading slashes', () => {
    expect(appFromLogGroup('/aws/lambda/checkout-api')).toBe('checkout-api');
    expect(appFromLogGroup('/ecs/checkout/prod')).toBe('ecs/checkout/prod');
    expect(appFromLogGroup('plain-group')).toBe('plain-group');
  });

  it('gives no app for a group name that is only slashes, and at most 128 characters', () => {
    expect(appFromLogGroup('///')).toBeUndefined();
    expect(appFromLogGroup(`/x/${'a'.repeat(300)}`)).toHaveLength(128);
  });
});

describe('isoTime', () => {
  const reference = (timestamp: number) =>
    timestamp > 0 && timestamp < 8.64e15 ? new Date(timestamp).toISOString() : undefined;

  it('formats every valid time as toISOString does, whichever day came before', () => {
    const time = fc.oneof(
      fc.integer({ min: 1, max: 8.64e15 - 1 }),
      // Runs of one day (the cache hit), its first and last millisecond, and 6-digit years.
      fc.integer({ min: 1_764_028_800_000, max: 1_764_115_199_999 }),
      fc.constantFrom(1, 999, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000, 8.64e15 - 1),
      fc.double({ min: 0, max: 8.64e15, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const timestamp of times) expect(isoTime(timestamp)).toBe(reference(timestamp));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives nothing for times toISOString cannot show or the canonical event does not accept', () => {
    for (const timestamp of [undefined, 0, -1, 8.64e15, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isoTime(timestamp)).toBeUndefined();
    }
  });
});
