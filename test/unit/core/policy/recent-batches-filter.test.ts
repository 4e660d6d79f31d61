import fc from 'fast-check';
import {
  forgetBatches,
  rememberBatches,
  rememberedAmong,
  rememberedFingerprints,
} from '../../../../functions/core/policy/recent-batches';
import { noteRemembered, rememberedBy } from '../../../../functions/core/policy/recent-batches-filter';
import { batchFingerprint } from '../../../../functions/core/policy/stable-hash';

const BASE = 1.7e12;
const fingerprint = fc.stringMatching(/^[A-Za-z0-9_-]{12}$/);

describe('recent batches filter', () => {
  it('answers exactly as rememberedAmong along a scope history, across other records of the same key', () => {
    // Each step: the batches of an invocation (some new, some replayed), sometimes settled ones to forget,
    // sometimes a different record of the same key (a reload), sometimes odd candidates.
    const step = fc.record({
      fresh: fc.array(fingerprint, { maxLength: 12 }),
      replayed: fc.array(fc.nat(), { maxLength: 4 }),
      settle: fc.array(fc.nat(), { maxLength: 3 }),
      odd: fc.array(
        fc.oneof(
          fc.string({ maxLength: 14 }),
          fc.constant('~'),
          fingerprint.map((f) => `~${f.slice(1)}`),
        ),
        {
          maxLength: 2,
        },
      ),
      other: fc.boolean(),
      advance: fc.integer({ min: 0, max: 600_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (steps, maxBatchIds) => {
          const key = `scope#${maxBatchIds}#${steps.length}`;
          const dedupe = { horizonSeconds: 3600, maxBatchIds };
          let recent = '';
          let alternate = '';
          let now = BASE;
          for (const s of steps) {
            now += s.advance;
            const known = rememberedFingerprints(recent);
            const replayed = s.replayed.map((n) => known[n % Math.max(known.length, 1)] ?? 'x'.repeat(12));
            const asked = [...s.fresh, ...replayed, ...s.odd];
            const record = s.other ? alternate : recent;
            const got = rememberedBy(key, record, asked);
            expect(got).toEqual(rememberedAmong(record, asked));
            if (s.other) {
              alternate = rememberBatches(alternate, s.fresh, now, dedupe);
              continue;
            }
            const settled = new Set(s.settle.map((n) => known[n % Math.max(known.length, 1)] ?? ''));
            const added = asked.filter((_, i) => !got[i]);
            const next = rememberBatches(forgetBatches(recent, settled), added, now, dedupe);
            noteRemembered(key, recent, next, added);
            recent = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds every one of hundreds of remembered batches and none of the others', () => {
    const dedupe = { horizonSeconds: 7200, maxBatchIds: 256 };
    let recent = '';
    const ids = Array.from({ length: 1200 }, (_, i) => batchFingerprint(`batch-${i}`));
    for (let i = 0; i < ids.length; i += 10) {
      const batch = ids.slice(i, i + 10);
      const asked = [...batch, ...ids.slice(Math.max(0, i - 300), i)];
      expect(rememberedBy('scope#hot', recent, asked)).toEqual(rememberedAmong(recent, asked));
      const next = rememberBatches(recent, batch, BASE + i * 1000, dedupe);
      noteRemembered('scope#hot', recent, next, batch);
      recent = next;
    }
    expect(rememberedBy('scope#hot', recent, ids.slice(-256)).every(Boolean)).toBe(true);
    expect(rememberedBy('scope#hot', recent, ids.slice(0, 900)).some(Boolean)).toBe(false);
  });
});
