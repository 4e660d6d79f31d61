import type { TriageEvent } from '../event';
import { LIMITS } from './scope-state';

/**
 * Errors of one scope in event-time order, with what the lifecycle needs to count them as a whole
 * (columnar): built in the same pass that splits a batch by scope, so applying a run to a scope is work per
 * run, not per event, whenever no transition can happen in its middle (see lifecycle.ts `ingestRun`).
 */
export interface ErrorRun {
  readonly events: TriageEvent[];
  /** Event time of `events[i]` (epoch ms). */
  readonly times: number[];
  /** Whether `times` is non-decreasing; the aggregates below stand for the events only when it is. */
  sorted: boolean;
  minTime: number;
  maxTime: number;
  /** Largest gap between consecutive times. */
  maxGap: number;
  /**
   * The first distinct apps / accounts / models in order of appearance, at most LIMITS.distinctValues:
   * adding them to a bounded list in that order is adding every event's value in event order.
   */
  readonly apps: string[];
  readonly accounts: string[];
  readonly models: string[];
  /** Errors per status: `statuses[i]` occurred `tallies[i]` times. */
  readonly statuses: number[];
  readonly tallies: number[];
}

export function newErrorRun(): ErrorRun {
  return {
    events: [],
    times: [],
    sorted: true,
    minTime: Number.POSITIVE_INFINITY,
    maxTime: Number.NEGATIVE_INFINITY,
    maxGap: 0,
    apps: [],
    accounts: [],
    models: [],
    statuses: [],
    tallies: [],
  };
}

function addDistinctValue(values: string[], value: string | undefined): void {
  if (value === undefined || values.length >= LIMITS.distinctValues || values.includes(value)) return;
  values.push(value);
}

/** Append one error at event time `t`. Mutates `run`. */
export function addToRun(run: ErrorRun, event: TriageEvent, t: number): void {
  const n = run.times.length;
  if (n > 0) {
    const previous = run.times[n - 1] as number;
    if (t < previous) run.sorted = false;
    else if (t - previous > run.maxGap) run.maxGap = t - previous;
  }
  if (t < run.minTime) run.minTime = t;
  if (t > run.maxTime) run.maxTime = t;
  run.events.push(event);
  run.times.push(t);
  const { status, app, account, model } = event;
  const { statuses, tallies } = run;
  let s = statuses.length - 1;
  while (s >= 0 && statuses[s] !== status) s--;
  if (s >= 0) tallies[s] = (tallies[s] as number) + 1;
  else {
    statuses.push(status);
    tallies.push(1);
  }
  addDistinctValue(run.apps, app);
  addDistinctValue(run.accounts, account);
  addDistinctValue(run.models, model);
}

/** The run of `events` (event times `times[i]`), e.g. several runs merged in time order. */
export function errorRunOf(events: readonly TriageEvent[], times: readonly number[]): ErrorRun {
  const run = newErrorRun();
  for (let i = 0; i < events.length; i++) addToRun(run, events[i] as TriageEvent, times[i] as number);
  return run;
}
