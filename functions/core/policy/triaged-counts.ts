import { type Classification, classify } from '../classify';
import type { EventBatch } from './types';

/** Errors of one (status, category) pair: one EventsTriaged metric line. */
export interface TriagedCount {
  readonly status: string;
  readonly category: string;
  readonly count: number;
}

/**
 * Events per (status, category) over `batches`, pairs in order of first appearance (the EventsTriaged
 * metric). Each event is classified; `classify` returns one shared object per (status, subtype), so events
 * are tallied per classification and merged into pairs at the end, without a key string per event.
 */
export function triagedCounts(batches: readonly EventBatch[]): TriagedCount[] {
  const tallies = new Map<Classification, number>();
  for (const batch of batches) {
    for (const event of batch.events) {
      const classification = classify(event.status, event.message);
      tallies.set(classification, (tallies.get(classification) ?? 0) + 1);
    }
  }
  const pairs = new Map<string, { status: string; category: string; count: number }>();
  for (const [{ status, category }, n] of tallies) {
    const id = `${status}|${category}`;
    const pair = pairs.get(id);
    if (pair) pair.count += n;
    else pairs.set(id, { status: String(status), category, count: n });
  }
  return [...pairs.values()];
}
