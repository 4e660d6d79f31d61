import type { PolicyConfig } from './config';
import { LIMITS, type WindowEntry } from './scope-state';

/**
 * The persistence rule for 5xx other than `immediateStatuses` (docs/design.md, "Incidents"; applied by
 * lifecycle.ts `ingest`): at least `minErrors` errors within `windowSeconds` whose first and last
 * are at least `minSpanSeconds` apart. Errors are kept per second and status, so a storm of thousands of
 * errors in a few seconds costs a handful of entries, and a window that does not qualify is either small
 * (fewer than minErrors errors) or short (under minSpanSeconds seconds).
 */

type Persistence = PolicyConfig['incidents']['persistence'];

/** Add one error at event time `t` (ms); keeps the window sorted by time. Mutates `window`. */
export function addToWindow(window: WindowEntry[], t: number, status: number): void {
  const second = Math.floor(t / 1000);
  let insertAt = window.length;
  for (let i = window.length - 1; i >= 0; i--) {
    const entry = window[i] as WindowEntry;
    const entrySecond = Math.floor(entry[0] / 1000);
    if (entrySecond === second && entry[1] === status) {
      entry[2] += 1;
      if (t < entry[0]) {
        entry[0] = t;
        // Keep the order by time within the second.
        for (let j = i; j > 0 && (window[j - 1] as WindowEntry)[0] > t; j--) {
          window[j] = window[j - 1] as WindowEntry;
          window[j - 1] = entry;
        }
      }
      return;
    }
    if (entrySecond < second) break;
    if (entry[0] > t) insertAt = i;
  }
  window.splice(insertAt, 0, [t, status, 1]);
}

/**
 * Drop what can no longer be part of a qualifying run: entries more than a window before the newest one,
 * or before `now - 2 × window` (a run must end at a fresh error, `now - window` or later). Mutates.
 */
export function pruneWindow(window: WindowEntry[], now: number, persistence: Persistence): void {
  const w = persistence.windowSeconds * 1000;
  const newest = window.at(-1)?.[0];
  if (newest === undefined) return;
  const cutoff = Math.max(newest - w, now - 2 * w);
  let drop = 0;
  while (drop < window.length && (window[drop] as WindowEntry)[0] < cutoff) drop++;
  drop = Math.max(drop, window.length - LIMITS.windowEntries);
  if (drop > 0) window.splice(0, drop);
}

export interface PersistentRun {
  /** Index of the first and last entry of the earliest qualifying run. */
  readonly first: number;
  readonly last: number;
}

/**
 * The earliest run of errors that satisfies the rule and ends with a fresh error (event time within the
 * window before `now`): stale errors count but never open an incident on their own.
 */
export function findPersistentRun(
  window: readonly WindowEntry[],
  now: number,
  persistence: Persistence,
): PersistentRun | undefined {
  const w = persistence.windowSeconds * 1000;
  const span = persistence.minSpanSeconds * 1000;
  let first = 0;
  let inRun = 0;
  for (let last = 0; last < window.length; last++) {
    const end = window[last] as WindowEntry;
    inRun += end[2];
    while (end[0] - (window[first] as WindowEntry)[0] > w) {
      inRun -= (window[first] as WindowEntry)[2];
      first++;
    }
    const start = window[first] as WindowEntry;
    if (inRun >= persistence.minErrors && end[0] - start[0] >= span && end[0] >= now - w) {
      return { first, last };
    }
  }
  return undefined;
}
