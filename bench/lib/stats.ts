/** Order statistics for benchmark samples. Pure: no timing, no I/O. */

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples');
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`not a finite sample: ${s}`);
  return [...samples].sort((a, b) => a - b);
}

/** The median; the mean of the two middle samples for an even count. */
export function median(samples: readonly number[]): number {
  const s = sorted(samples);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample with at least p% of the
 * samples at or below it. p99 of 200 samples is the 198th smallest, an observed latency, never an
 * interpolation between two.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0–100, got ${p}`);
  const s = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1] as number;
}

export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spread(samples: readonly number[]): Spread {
  const s = sorted(samples);
  return { n: s.length, min: s[0] as number, median: median(s), max: s[s.length - 1] as number };
}

/**
 * Ratio of two paired sample sets, robust to a noisy machine: the median of the per-pair ratios (each pair
 * ran back to back, so a slow moment hits both sides), with their spread.
 */
export function pairedRatio(subject: readonly number[], baseline: readonly number[]): Spread {
  if (subject.length !== baseline.length) throw new RangeError('paired samples differ in count');
  return spread(subject.map((value, i) => value / (baseline[i] as number)));
}

/** Round for display and JSON: 3 significant digits below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  const digits = 2 - Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
