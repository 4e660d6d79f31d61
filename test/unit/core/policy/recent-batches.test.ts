import fc from 'fast-check';
import { parsePolicyConfig } from '../../../../functions/core/policy';
import {
  forgetBatches,
  rememberBatches,
  rememberedAmong,
  rememberedFingerprints,
} from '../../../../functions/core/policy/recent-batches';
import { BATCH_FINGERPRINT_CHARS, batchFingerprint } from '../../../../functions/core/policy/stable-hash';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 15);
/** Whether `recent` remembers `fingerprint` (as a whole token). */
const remembers = (recent: string, fingerprint: string) =>
  rememberedFingerprints(recent).includes(fingerprint);
const dedupe = (horizonSeconds: number, maxBatchIds: number) =>
  parsePolicyConfig({ dedupe: { horizonSeconds, maxBatchIds } }).dedupe;

describe('policy recent batches', () => {
  it('fingerprints a batch id as 12 stable base64url characters', () => {
    const fingerprint = batchFingerprint('3f1c2a9e-0d6b-4c57-9a43-1b2f0e7d8c6a-0');
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(fingerprint).toHaveLength(BATCH_FINGERPRINT_CHARS);
    expect(batchFingerprint('3f1c2a9e-0d6b-4c57-9a43-1b2f0e7d8c6a-0')).toBe(fingerprint);
    const many = new Set(Array.from({ length: 20_000 }, (_, i) => batchFingerprint(`batch-${i}`)));
    expect(many.size).toBe(20_000);
  });

  it('remembers what it was given and nothing else, matching whole fingerprints only', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(batchFingerprint) as [string, string, string];
    const recent = rememberBatches('', [a, b], T0, dedupe(7200, 256));
    expect(remembers(recent, a)).toBe(true);
    expect(remembers(recent, b)).toBe(true);
    expect(remembers(recent, c)).toBe(false);
    // A string spanning the end of one fingerprint and the start of the next is not a fingerprint.
    expect(remembers(recent, (a + b).slice(6, 18))).toBe(false);
    expect(rememberedAmong(recent, [c, a, (a + b).slice(6, 18), b])).toEqual([false, true, false, true]);
  });

  it('answers like isRemembered for any set of candidates', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(500), { maxLength: 300 }),
        fc.uniqueArray(fc.nat(600), { minLength: 1, maxLength: 40 }),
        (stored, asked) => {
          const recent = rememberBatches(
            '',
            stored.map((n) => batchFingerprint(`b${n}`)),
            T0,
            dedupe(7200, 1000),
          );
          const candidates = asked.map((n) => batchFingerprint(`b${n}`));
          expect(rememberedAmong(recent, candidates)).toEqual(asked.map((n) => stored.includes(n)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the newest maxBatchIds fingerprints', () => {
    const config = dedupe(7200, 3);
    let recent = '';
    const ids = Array.from({ length: 7 }, (_, i) => batchFingerprint(`b${i}`));
    for (const [i, id] of ids.entries()) recent = rememberBatches(recent, [id], T0 + i * 10 * MIN, config);
    expect(ids.map((id) => remembers(recent, id))).toEqual([false, false, false, false, true, true, true]);
    expect(rememberBatches('', ids, T0, config)).toBe(rememberBatches('', ids.slice(-3), T0, config));
  });

  it('remembers for at least the horizon and forgets within one granule (1/32 of it) after', () => {
    const config = dedupe(3200, 256); // granule: 100 s
    const id = batchFingerprint('early');
    const recent = rememberBatches('', [id], T0, config);
    const later = (now: number) => rememberBatches(recent, [batchFingerprint(`at-${now}`)], T0 + now, config);
    expect(remembers(later(3200 * 1000 - 1), id)).toBe(true);
    expect(remembers(later(3300 * 1000), id)).toBe(false);
  });

  it('dates fingerprints by one time mark per granule, not one per batch', () => {
    const config = dedupe(7200, 256);
    let recent = '';
    for (let i = 0; i < 256; i++)
      recent = rememberBatches(recent, [batchFingerprint(`b${i}`)], T0 + i * 1000, config);
    // 256 batches within 256 s: two granules of 225 s, so two marks.
    expect(recent).toHaveLength(258 * BATCH_FINGERPRINT_CHARS);
  });

  it('leaves the string as it is when no fingerprint is added', () => {
    const recent = rememberBatches('', [batchFingerprint('x')], T0, dedupe(7200, 256));
    expect(rememberBatches(recent, [], T0 + 10 * 3600_000, dedupe(7200, 256))).toBe(recent);
  });
  it('lists the remembered fingerprints, oldest first, without the time marks', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(batchFingerprint) as [string, string, string];
    const config = dedupe(7200, 256);
    const recent = rememberBatches(rememberBatches('', [a, b], T0, config), [c], T0 + 10 * MIN, config);
    expect(recent).toHaveLength(5 * BATCH_FINGERPRINT_CHARS);
    expect(rememberedFingerprints(recent)).toEqual([a, b, c]);
    expect(rememberedFingerprints('')).toEqual([]);
  });

  it('forgets settled fingerprints and the time marks left dating nothing', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(batchFingerprint) as [string, string, string, string];
    const config = dedupe(7200, 256);
    // Two granules: [mark a b] [mark c d].
    const recent = rememberBatches(rememberBatches('', [a, b], T0, config), [c, d], T0 + 10 * MIN, config);

    const withoutFirstGroup = forgetBatches(recent, new Set([a, b]));
    expect(rememberedFingerprints(withoutFirstGroup)).toEqual([c, d]);
    expect(withoutFirstGroup).toBe(recent.slice(3 * BATCH_FINGERPRINT_CHARS));
    expect(forgetBatches(recent, new Set([a, b, c, d]))).toBe('');
    expect(rememberedFingerprints(forgetBatches(recent, new Set([b, c])))).toEqual([a, d]);
    // Nothing settled among them: the very same string.
    expect(forgetBatches(recent, new Set([batchFingerprint('other')]))).toBe(recent);
    expect(forgetBatches(recent, undefined)).toBe(recent);
  });

  it('keeps the date of what it does not forget: unsettled fingerprints still expire after the horizon', () => {
    const config = dedupe(3200, 256); // granule: 100 s
    const [early, settled, late] = ['early', 'settled', 'late'].map(batchFingerprint) as [
      string,
      string,
      string,
    ];
    const recent = rememberBatches(
      rememberBatches('', [early], T0, config),
      [settled],
      T0 + 10 * MIN,
      config,
    );
    const kept = forgetBatches(recent, new Set([settled]));
    expect(remembers(rememberBatches(kept, [late], T0 + 3200 * 1000 - 1, config), early)).toBe(true);
    expect(remembers(rememberBatches(kept, [late], T0 + 3300 * 1000, config), early)).toBe(false);
  });

  it('answers like a set difference for any settled subset', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(300), { maxLength: 200 }),
        fc.uniqueArray(fc.nat(300), { maxLength: 200 }),
        fc.integer({ min: 1, max: 6 }),
        (stored, settledIds, perGranule) => {
          const config = dedupe(7200, 1000);
          let recent = '';
          // A few fingerprints per granule (225 s), so marks sit between them.
          stored.forEach((n, i) => {
            const now = T0 + Math.floor(i / perGranule) * 5 * MIN;
            recent = rememberBatches(recent, [batchFingerprint(`b${n}`)], now, config);
          });
          const settled = new Set(settledIds.map((n) => batchFingerprint(`b${n}`)));
          const left = forgetBatches(recent, settled);
          expect(rememberedFingerprints(left)).toEqual(
            rememberedFingerprints(recent).filter((fingerprint) => !settled.has(fingerprint)),
          );
          // Every fingerprint left is still dated by a mark before it, and every mark dates something.
          const isMark = (left.match(/.{12}/g) ?? []).map((token) => token.startsWith('~'));
          expect(isMark.length * BATCH_FINGERPRINT_CHARS).toBe(left.length);
          expect(isMark[0] ?? true).toBe(true);
          expect(isMark.at(-1) ?? false).toBe(false);
          expect(isMark.some((mark, i) => mark && isMark[i + 1])).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
