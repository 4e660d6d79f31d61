import type { TriageEvent } from '../event';
import type { BatchValues } from './types';

/**
 * One scope's errors of a batch: a range of the batch's columns, `events[start..end)` and their event
 * times `times[start..end)` (epoch ms). A batch is split into runs in one pass and its columns are shared
 * by its runs, so a split costs a few arrays per batch, not per scope; the lifecycle reads a run's times
 * to decide whether it can take runs as a whole (see lifecycle.ts `ingestRuns`). Plain arrays, not
 * typed arrays: a Float64Array of a batch's size gets an off-heap buffer, which costs more to make and to
 * collect than the array itself.
 */
export interface ErrorRun {
  readonly events: readonly TriageEvent[];
  readonly times: readonly number[];
  readonly start: number;
  readonly end: number;
  /** The models, accounts and apps of the batch the run comes from (a superset of the run's), if known. */
  readonly values: BatchValues | undefined;
}

/** Whether the run's event times are non-decreasing. */
export function isSorted(run: ErrorRun): boolean {
  const { times } = run;
  for (let i = run.start + 1; i < run.end; i++) {
    if ((times[i] as number) < (times[i - 1] as number)) return false;
  }
  return true;
}

/** One run of `events` with event times `times`. */
export function errorRunOf(events: readonly TriageEvent[], times: readonly number[]): ErrorRun {
  return { events, times, start: 0, end: events.length, values: undefined };
}
