import fc from 'fast-check';
import type { TriageEvent } from '../../../../functions/core/event';
import type { EventBatch } from '../../../../functions/core/policy';
import { type TriageCount, triageBreakdown } from '../../../../functions/core/policy/triage-breakdown';

const batch = (events: TriageEvent[], batchId = 'b'): EventBatch => ({ batchId, receivedAt: 0, events });

describe('triage breakdown', () => {
  it('counts events per (status, model, account, app) across batches, the largest first', () => {
    const e = (status: number, fields: Partial<TriageEvent> = {}) => ({ id: 'x', status, ...fields });
    const breakdown = triageBreakdown([
      batch([e(429, { model: 'm', account: 'acme', app: 'checkout' }), e(404), e(429, { model: 'm' })]),
      batch([e(429, { model: 'm', account: 'acme', app: 'checkout' }), e(404)], 'c'),
    ]);
    expect(breakdown).toEqual({
      counts: [
        { status: 404, n: 2 },
        { status: 429, model: 'm', account: 'acme', app: 'checkout', n: 2 },
        { status: 429, model: 'm', n: 1 },
      ],
    });
  });

  it('keeps an absent field apart from an empty one', () => {
    const breakdown = triageBreakdown([
      batch([
        { id: 'a', status: 400 },
        { id: 'b', status: 400, app: '' },
      ]),
    ]);
    expect(breakdown.counts).toEqual([
      { status: 400, n: 1 },
      { status: 400, app: '', n: 1 },
    ]);
  });

  it('keeps at most the limit of combinations and says how much it left out', () => {
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: `e${i}`,
      status: 400,
      app: `app${i % 250}`,
    }));
    const breakdown = triageBreakdown([batch(events)], 200);
    expect(breakdown.counts).toHaveLength(200);
    expect(breakdown.counts.slice(0, 50).every((count) => count.n === 2)).toBe(true);
    expect(breakdown.omitted).toEqual({ combinations: 50, events: 50 });
    const total =
      breakdown.counts.reduce((sum, count) => sum + count.n, 0) + (breakdown.omitted?.events ?? 0);
    expect(total).toBe(300);
  });
});

describe('triage breakdown: against grouping by a key string', () => {
  /** The obvious implementation: one key per combination, first appearance order, largest first. */
  function byKeyString(batches: readonly EventBatch[]): { status: number; n: number }[] {
    const counts = new Map<string, TriageCount & { n: number }>();
    for (const { events } of batches) {
      for (const { status, model, account, app } of events) {
        const key = JSON.stringify([status, model ?? null, account ?? null, app ?? null]);
        const found = counts.get(key);
        if (found) found.n++;
        else
          counts.set(key, {
            status,
            ...(model !== undefined ? { model } : {}),
            ...(account !== undefined ? { account } : {}),
            ...(app !== undefined ? { app } : {}),
            n: 1,
          });
      }
    }
    return [...counts.values()].sort((a, b) => b.n - a.n || a.status - b.status);
  }

  it('gives the same counts, in the same order, with the same fields and what it left out', () => {
    const value = (values: readonly string[]) =>
      fc.option(fc.constantFrom(...values), { nil: undefined, freq: 3 });
    const event = fc.record({
      status: fc.constantFrom(400, 401, 429, 500, 503),
      model: value(['m1', 'm2', '']),
      account: value(['acme', 'globex']),
      app: value(['a', 'b', 'c']),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 30 }),
        (lists, limit) => {
          const batches = lists.map((events, i) =>
            batch(
              events.map((fields, j) => {
                const e: Record<string, unknown> = { id: `e${i}-${j}`, status: fields.status };
                for (const key of ['model', 'account', 'app'] as const)
                  if (fields[key] !== undefined) e[key] = fields[key];
                return e as unknown as TriageEvent;
              }),
              `b${i}`,
            ),
          );
          const want = byKeyString(batches);
          const got = triageBreakdown(batches, limit);
          expect(JSON.stringify(got.counts)).toBe(JSON.stringify(want.slice(0, limit)));
          const rest = want.slice(limit);
          expect(got.omitted).toEqual(
            rest.length > 0
              ? { combinations: rest.length, events: rest.reduce((n, c) => n + c.n, 0) }
              : undefined,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
