import type { TriageEvent } from '../../../../functions/core/event';
import type { EventBatch } from '../../../../functions/core/policy';
import { triageBreakdown } from '../../../../functions/core/policy/triage-breakdown';

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
