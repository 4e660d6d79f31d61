import { classify, MAX_STATUS, MIN_STATUS } from '../classify';
import type { TriageEvent } from '../event';
import { splitBatch } from './batch-split';
import type { PolicyConfig } from './config';
import type { EventBatch } from './types';

/** Errors of one (status, category) pair: one EventsTriaged metric line. */
export interface TriagedCount {
  readonly status: string;
  readonly category: string;
  readonly count: number;
}

// Scratch tally per valid status, reset after each call: a call sees a few dozen statuses.
const MIN = MIN_STATUS;
const perStatus = new Int32Array(MAX_STATUS - MIN_STATUS + 1);

/**
 * Events per (status, category) over `batches` (the EventsTriaged metric), pairs in no particular order.
 *
 * A category comes from the catalog row of the status, never from the message (the 404 and 412 subtypes
 * share their status's category; a test holds classify to that), so events are tallied per status and
 * each status is classified once. The batches are read as split by scope under `config` (the engine's
 * split, cached per batch): every event of a counter or an account issue has its scope's status, so
 * their runs are tallied whole; an incident's run is tallied event by event.
 */
export function triagedCounts(batches: readonly EventBatch[], config: PolicyConfig): TriagedCount[] {
  // Statuses in order of first appearance (then reset to zero).
  const order: number[] = [];
  try {
    return tallied(batches, config, order);
  } finally {
    for (const status of order) perStatus[status - MIN] = 0;
  }
}

/** Whether `status` indexes the tally: an integer of 100–599. Anything else goes through classify, which rejects it. */
function valid(status: number): boolean {
  const slot = status - MIN;
  return typeof status === 'number' && slot >= 0 && slot < perStatus.length && (slot | 0) === slot;
}

function tally(order: number[], status: number, n: number): void {
  if (!valid(status)) classify(status);
  const before = perStatus[status - MIN] as number;
  if (before === 0) order.push(status);
  perStatus[status - MIN] = before + n;
}

/** The tallies of `batches` (see triagedCounts), merged into pairs. */
function tallied(batches: readonly EventBatch[], config: PolicyConfig, order: number[]): TriagedCount[] {
  for (const batch of batches) {
    const { runs, descriptors } = splitBatch(batch, config);
    for (let g = 0; g < runs.length; g++) {
      const { events, start, end } = runs[g] as (typeof runs)[number];
      const scope = descriptors[g] as (typeof descriptors)[number];
      if (scope.kind !== 'incident') tally(order, scope.status, end - start);
      else for (let i = start; i < end; i++) tally(order, (events[i] as TriageEvent).status, 1);
    }
  }
  // One category per status: one pair per status.
  return order.map((status) => ({
    status: String(status),
    category: classify(status).category,
    count: perStatus[status - MIN] as number,
  }));
}
