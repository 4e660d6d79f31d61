import { performance } from 'node:perf_hooks';
import {
  applyBatches,
  batchesByScope,
  type PolicyConfig,
  type ScopeState,
} from '../../functions/core/policy';
import type { EventBatch } from '../../functions/core/policy/types';
import { packEvents, parseQueueMessage } from '../../functions/core/queue-message';
import { readQueueBody } from '../../functions/shared/queue-body';
import { median } from '../lib/stats';

/** What one writer per scope would make serial on the storm (docs/scaling.md, "One writer per scope"). */
export interface SingleWriterFigures {
  /** Share of the storm's events on its hottest scope. */
  readonly hotShare: number;
  /**
   * CPU µs per event of that scope's own writer: parse the messages that carry its events (as the first
   * stage would pack them, one scope per message), apply them to its record, serialize the record.
   */
  readonly writerUsPerEvent: number;
  /** Serial share of all the work when the first stage (today's handler, per event) runs in parallel. */
  readonly serialShare: number;
  /** Amdahl's bound on K invocations at once over one, at K = 8. */
  readonly boundK8: number;
  /** The same bound when a scope's writer also does the first stage's work (routing at ingest). */
  readonly routedAtIngestBoundK8: number;
}

const amdahl = (serial: number, k: number) => 1 / (serial + (1 - serial) / k);

/**
 * Measure, in this process and without I/O, the work a single writer of the storm's hottest scope would do
 * per event, and from it the serial share of the whole and Amdahl's bound at K = 8. `handlerUsPerEvent` is
 * the CPU per event of today's handler (the capacity run at K = 1), which the first stage of a two-stage
 * design would keep doing in parallel. An estimate from measured parts, not a run of such a design.
 */
export function singleWriterFigures(
  bodies: readonly string[],
  config: PolicyConfig,
  batchSize: number,
  now: number,
  handlerUsPerEvent: number,
  repeats = 3,
): SingleWriterFigures {
  // The first stage, untimed: split each invocation's messages by scope, pack the hottest scope's events.
  const perScope = new Map<string, number>();
  let events = 0;
  const invocations: { key: string; bodies: string[] }[][] = [];
  for (let at = 0; at < bodies.length; at += batchSize) {
    const byKey = new Map<string, EventBatch[]>();
    for (const body of bodies.slice(at, at + batchSize)) {
      for (const [key, batch] of batchesByScope(parseQueueMessage(readQueueBody(body)), config)) {
        const list = byKey.get(key);
        if (list) list.push(batch);
        else byKey.set(key, [batch]);
        perScope.set(key, (perScope.get(key) ?? 0) + batch.events.length);
        events += batch.events.length;
      }
    }
    invocations.push(
      [...byKey].map(([key, batches]) => ({
        key,
        bodies: packEvents(
          batches.flatMap((batch) => batch.events),
          { batchPrefix: `lane-${at}-${key.length}`, receivedAt: now - 1000 },
        ),
      })),
    );
  }
  const [hotKey, hotEvents] = [...perScope].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);

  // The hottest scope's writer, timed: every invocation's messages for it, one after the other.
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let state: ScopeState | undefined;
    const started = performance.now();
    for (const invocation of invocations) {
      for (const { key, bodies: laneBodies } of invocation) {
        if (key !== hotKey) continue;
        const batches = laneBodies.flatMap((body) => [
          ...batchesByScope(parseQueueMessage(readQueueBody(body)), config).values(),
        ]);
        state = applyBatches(key, state, batches, now, config).state ?? state;
        JSON.stringify(state);
      }
    }
    runs.push(performance.now() - started);
  }
  const writerUsPerEvent = (median(runs) * 1000) / hotEvents;
  const hotShare = hotEvents / events;
  const serialShare = (hotShare * writerUsPerEvent) / (handlerUsPerEvent + writerUsPerEvent);
  return {
    hotShare,
    writerUsPerEvent,
    serialShare,
    boundK8: amdahl(serialShare, 8),
    routedAtIngestBoundK8: amdahl(hotShare, 8),
  };
}
