import { type Classification, classify, MAX_STATUS, MIN_STATUS } from '../classify';
import type { EventBatch } from './types';

/** Errors of one (status, category) pair: one EventsTriaged metric line. */
export interface TriagedCount {
  readonly status: string;
  readonly category: string;
  readonly count: number;
}

/** Whether the classification of `status` depends on the message (404 and 412 have subtypes, see classify.ts). */
const readsMessage = (status: number) => status === 404 || status === 412;

// Scratch tally per valid status, reset after each call: a call sees a few dozen statuses.
const MIN = MIN_STATUS;
const perStatus = new Int32Array(MAX_STATUS - MIN_STATUS + 1);

/**
 * Events per (status, category) over `batches`, pairs in order of first appearance (the EventsTriaged
 * metric). An event's classification depends on its status alone except for the statuses that have
 * subtypes, so events are tallied per status (classified once per call), those per classification (each
 * one classified; `classify` returns one shared object per (status, subtype)), in order of first
 * appearance; the tallies are merged into pairs at the end.
 */
export function triagedCounts(batches: readonly EventBatch[]): TriagedCount[] {
  // Tallies in order of first appearance: a status (number) or a classification.
  const order: (number | Classification)[] = [];
  const byClassification = new Map<Classification, number>();
  try {
    return tallied(batches, order, byClassification);
  } finally {
    for (const tally of order) if (typeof tally === 'number') perStatus[tally - MIN] = 0;
  }
}

/** The tallies of `batches` (see triagedCounts), merged into pairs. */
function tallied(
  batches: readonly EventBatch[],
  order: (number | Classification)[],
  byClassification: Map<Classification, number>,
): TriagedCount[] {
  const classified = new Map<number, Map<string | undefined, Classification>>();
  for (const batch of batches) {
    for (const event of batch.events) {
      const { status } = event;
      const slot = status - MIN;
      // Anything but a valid status goes through classify, which rejects it as it always did.
      if (
        typeof status === 'number' &&
        slot >= 0 &&
        slot < perStatus.length &&
        (slot | 0) === slot &&
        !readsMessage(status)
      ) {
        const n = perStatus[slot] as number;
        if (n === 0) order.push(status);
        perStatus[slot] = n + 1;
      } else {
        // A batch repeats its messages: each (status, message) is classified once.
        let byMessage = classified.get(status);
        if (!byMessage) {
          byMessage = new Map();
          classified.set(status, byMessage);
        }
        let classification = byMessage.get(event.message);
        if (!classification) {
          classification = classify(status, event.message);
          byMessage.set(event.message, classification);
        }
        const n = byClassification.get(classification);
        if (n === undefined) order.push(classification);
        byClassification.set(classification, (n ?? 0) + 1);
      }
    }
  }
  const pairs = new Map<string, { status: string; category: string; count: number }>();
  for (const tally of order) {
    let classification: Classification;
    let n: number;
    if (typeof tally === 'number') {
      classification = classify(tally);
      n = perStatus[tally - MIN] as number;
    } else {
      classification = tally;
      n = byClassification.get(tally) as number;
    }
    const { status, category } = classification;
    const id = `${status}|${category}`;
    const pair = pairs.get(id);
    if (pair) pair.count += n;
    else pairs.set(id, { status: String(status), category, count: n });
  }
  return [...pairs.values()];
}
