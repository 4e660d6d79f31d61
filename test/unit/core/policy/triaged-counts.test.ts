import fc from 'fast-check';
import { classify } from '../../../../functions/core/classify';
import type { TriageEvent } from '../../../../functions/core/event';
import type { EventBatch } from '../../../../functions/core/policy';
import { triagedCounts } from '../../../../functions/core/policy/triaged-counts';

/** What the metric means: each event classified with its message, counted per (status, category). */
function referenceCounts(batches: readonly EventBatch[]) {
  const counts = new Map<string, { status: string; category: string; count: number }>();
  for (const event of batches.flatMap((batch) => batch.events)) {
    const category = classify(event.status, event.message).category;
    const id = `${event.status}|${category}`;
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { status: String(event.status), category, count: 1 });
  }
  return [...counts.values()];
}

/** Pairs in a fixed order: the metric lines' order means nothing. */
const sorted = <T extends { status: string; category: string }>(pairs: readonly T[]) =>
  [...pairs].sort((a, b) => `${a.status}|${a.category}`.localeCompare(`${b.status}|${b.category}`));

const batch = (events: TriageEvent[], batchId = 'b'): EventBatch => ({ batchId, receivedAt: 0, events });

describe('triaged counts', () => {
  it('counts events per (status, category) across batches', () => {
    const e = (status: number, message?: string): TriageEvent => ({
      id: 'x',
      status,
      ...(message ? { message } : {}),
    });
    expect(
      sorted(
        triagedCounts([
          batch([e(429), e(503), e(404, 'Model not found, inaccessible, and/or not deployed')]),
          batch([e(404, 'path /v1/chat not found'), e(429), e(412, 'Failed to load LoRA adapter x')], 'c'),
        ]),
      ),
    ).toEqual(
      sorted([
        { status: '429', category: 'rate-limit', count: 2 },
        { status: '503', category: 'server-error', count: 1 },
        // Two subtypes of 404, one category: one pair.
        { status: '404', category: 'not-found', count: 2 },
        { status: '412', category: 'account-status', count: 1 },
      ]),
    );
  });

  it('gives what the per-event tally gives on any events', () => {
    const message = fc.constantFrom(
      undefined,
      'Model not found, inaccessible, and/or not deployed',
      'path /v1/chat not found',
      'Failed to load LoRA adapter x',
      'Account suspended',
      'whatever',
    );
    const event = fc.record({
      status: fc.oneof(
        fc.constantFrom(404, 412, 429, 500, 503, 401, 418),
        fc.integer({ min: 100, max: 599 }),
      ),
      message,
    });
    fc.assert(
      fc.property(fc.array(fc.array(event, { maxLength: 30 }), { maxLength: 5 }), (raw) => {
        const batches = raw.map((events, i) =>
          batch(
            events.map(({ status, message: m }, j) => ({
              id: `${i}-${j}`,
              status,
              ...(m !== undefined ? { message: m } : {}),
            })),
            `b${i}`,
          ),
        );
        expect(sorted(triagedCounts(batches))).toEqual(sorted(referenceCounts(batches)));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an invalid status as classify does, and the next call counts from zero', () => {
    const e = (status: number): TriageEvent => ({ id: 'x', status });
    for (const bad of [600, 99, 503.5, Number.NaN]) {
      expect(() => triagedCounts([batch([e(503), e(429), e(bad), e(503)])])).toThrow(/HTTP status/);
    }
    expect(sorted(triagedCounts([batch([e(429), e(503), e(429)])]))).toEqual([
      { status: '429', category: 'rate-limit', count: 2 },
      { status: '503', category: 'server-error', count: 1 },
    ]);
  });
});
