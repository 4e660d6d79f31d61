import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pairedRatio, type Spread, spread } from './stats';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

export type Work = () => unknown | Promise<unknown>;

export async function timeOnce(work: Work): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export interface Comparison {
  /** Median of per-pair ratios subject / baseline, with their spread. */
  readonly ratio: Spread;
  readonly subjectMs: Spread;
  readonly baselineMs: Spread;
}

/**
 * Time `subject` against `baseline` in pairs, after warm-up runs of both (JIT, caches): each pair runs
 * back to back (alternating which goes first) with a GC before each run, so background noise hits both.
 */
export async function compare(
  subject: Work,
  baseline: Work,
  options: { readonly runs: number; readonly warmup: number },
): Promise<Comparison> {
  for (let i = 0; i < options.warmup; i++) {
    await baseline();
    await subject();
  }
  const subjectMs: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const order = i % 2 === 0 ? (['b', 's'] as const) : (['s', 'b'] as const);
    for (const which of order) {
      collectGarbage();
      if (which === 'b') baselineMs.push(await timeOnce(baseline));
      else subjectMs.push(await timeOnce(subject));
    }
  }
  return {
    ratio: pairedRatio(subjectMs, baselineMs),
    subjectMs: spread(subjectMs),
    baselineMs: spread(baselineMs),
  };
}
