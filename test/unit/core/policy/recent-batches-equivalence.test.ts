import fc from 'fast-check';
import {
  forgetBatches,
  rememberBatches,
  rememberedAmong,
} from '../../../../functions/core/policy/recent-batches';
import * as reference from './reference-engine/recent-batches';

/** The string scans of recent-batches.ts give what the token-by-token reference gives, on any string. */
describe('recent batches: equivalence with the token-by-token reference', () => {
  const fingerprint = fc.stringMatching(/^[A-Za-z0-9_-]{12}$/);
  // Marks and processing times within hours of each other, so horizons and granules cut between marks.
  const BASE = 1.7e12;
  const mark = fc.integer({ min: 0, max: 2e7 }).map((t) => `~${(BASE + t).toString(36).padStart(11, '0')}`);
  // Mostly well-formed token strings, sometimes with a stray `~` or a cut token.
  const recent = fc
    .tuple(
      fc.array(fc.oneof(fingerprint, fingerprint, mark), { maxLength: 40 }),
      fc.oneof(
        fc.constant(''),
        fc.constant('~'),
        fc.constant('ab~cd'),
        fingerprint.map((f) => f.slice(3)),
      ),
    )
    .map(([tokens, tail]) => tokens.join('') + tail);
  const dedupe = fc.record({
    horizonSeconds: fc.integer({ min: 60, max: 20_000 }),
    maxBatchIds: fc.integer({ min: 1, max: 30 }),
  });

  it('agrees on rememberedAmong', () => {
    fc.assert(
      fc.property(recent, fc.array(fingerprint, { maxLength: 12 }), fc.nat(), (r, extra, pick) => {
        const tokens = reference.rememberedFingerprints(r);
        const candidates = [...extra, ...(tokens.length > 0 ? [tokens[pick % tokens.length] as string] : [])];
        expect(rememberedAmong(r, candidates)).toEqual(reference.rememberedAmong(r, candidates));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on rememberBatches and forgetBatches', () => {
    fc.assert(
      fc.property(
        recent,
        // Now and then an odd one (wrong length, a `~`): the engine only passes fingerprints, but any input agrees.
        fc.array(fc.oneof(fingerprint, fingerprint, fingerprint, fc.string({ maxLength: 14 })), {
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 3e7 }).map((t) => BASE + t),
        dedupe,
        fc.array(fingerprint, { maxLength: 3 }),
        (r, added, now, d, settled) => {
          expect(rememberBatches(r, added, now, d)).toBe(reference.rememberBatches(r, added, now, d));
          const forget = new Set([...settled, ...reference.rememberedFingerprints(r).slice(0, 2)]);
          expect(forgetBatches(r, forget)).toBe(reference.forgetBatches(r, forget));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees on time marks of any base-36 digits (past 2^53 too), and at any processing time', () => {
    const digits = fc.stringMatching(/^[0-9a-z]{11}$/);
    fc.assert(
      fc.property(
        digits,
        fc.array(fingerprint, { minLength: 1, maxLength: 3 }),
        fc.oneof(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.double({ min: -1e17, max: 1e17, noNaN: true }),
          fc.integer({ min: 0, max: 2e7 }).map((t) => BASE + t),
        ),
        dedupe,
        (mark, added, now, d) => {
          const r = `~${mark}${added.join('')}`;
          expect(rememberBatches(r, added.slice(1), now, d)).toBe(
            reference.rememberBatches(r, added.slice(1), now, d),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
