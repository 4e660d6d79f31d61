import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pairedRatio, type Spread, spread } from './stats';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options?: { readonly type: 'major' | 'minor' }) => void;

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

export interface CompareOptions {
  readonly runs: number;
  readonly warmup: number;
  /**
   * The GC forced before each timed run: `full` (the default, what the headline figures use) or `young`
   * (a young-generation GC only; see `steadyState`).
   */
  readonly gc?: 'full' | 'young';
}

/**
 * Time `subject` against `baseline` in pairs, after warm-up runs of both (JIT, caches): each pair runs
 * back to back (alternating which goes first) with a GC before each run, so background noise hits both.
 *
 * A forced full GC also frees the hidden classes ("maps") that only the previous run's objects had, and
 * V8 then discards optimized code that checks for them ("embedded weak objects cleared" in
 * `node --trace-deopt`): the next run of JavaScript that builds many short-lived objects (the policy
 * engine's records) partly times its own re-optimization. JSON.parse and gunzip, builtins, are immune, but
 * they pay first-touch page faults for the memory the full GC released. A warm Lambda function meets
 * neither before each invocation (a full GC comes when the old generation fills), so the CPU parts also
 * report the ratio with `gc: 'young'` beside the headline, which stays on full GCs as it always was.
 */
export async function compare(subject: Work, baseline: Work, options: CompareOptions): Promise<Comparison> {
  const gc = options.gc === 'young' ? () => collectGarbage({ type: 'minor' }) : () => collectGarbage();
  for (let i = 0; i < options.warmup; i++) {
    await baseline();
    await subject();
  }
  const subjectMs: number[] = [];
  const baselineMs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const order = i % 2 === 0 ? (['b', 's'] as const) : (['s', 'b'] as const);
    for (const which of order) {
      gc();
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
