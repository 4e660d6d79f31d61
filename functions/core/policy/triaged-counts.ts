import { classify } from '../classify';
import type { EventBatch } from './types';

/** Errors of one (status, category) pair: one EventsTriaged metric line. */
export interface TriagedCount {
  readonly status: string;
  readonly category: string;
  readonly count: number;
}

/**
 * Events per (status, category) over `batches` (the EventsTriaged metric), in order of first appearance.
 * A category comes from the catalog row of the status, never from the message (the 404 and 412 subtypes
 * share their status's category; a test holds classify to that), so events are tallied per status and
 * each status is classified once.
 */
export function triagedCounts(batches: readonly EventBatch[]): TriagedCount[] {
  const perStatus = new Map<number, number>();
  for (const batch of batches) {
    for (const { status } of batch.events) perStatus.set(status, (perStatus.get(status) ?? 0) + 1);
  }
  return [...perStatus].map(([status, count]) => ({
    status: String(status),
    category: classify(status).category,
    count,
  }));
}
