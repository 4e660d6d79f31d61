import { parseTime, type TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { applyBatches, batchesByScope, markPublished, sweepScope } from './engine';
import type { ScopeState } from './scope-state';
import type { EventBatch, NotificationIntent, ScopeUpdate } from './types';

export interface SimulateOptions {
  /** Event time of leading events without `occurredAt` (later ones take the time of the event before). */
  readonly startAt?: number;
  /** Simulated processing step: events are applied in batches per step, and due scopes swept every step. */
  readonly stepSeconds?: number;
}

export interface SimulationResult {
  /** Every notification, in the order the engine issued them. */
  readonly intents: readonly NotificationIntent[];
  readonly events: number;
  readonly scopes: number;
}

/**
 * Run the engine in event time over an in-memory store (`triage simulate`; docs/design.md, "Simulation"): events are applied in
 * one batch per simulated minute at the end of that minute, due scopes are swept every minute, and after
 * the last event the clock runs on until nothing is due (every incident and group resolved). Every
 * notification counts as published at once.
 */
export function simulate(
  events: readonly TriageEvent[],
  config: PolicyConfig,
  options: SimulateOptions = {},
): SimulationResult {
  const step = (options.stepSeconds ?? 60) * 1000;
  // Simulated batches are never redelivered: remembering one batch id per scope keeps records tiny.
  const engineConfig: PolicyConfig = { ...config, dedupe: { ...config.dedupe, maxBatchIds: 1 } };
  const timed: { event: TriageEvent; t: number }[] = [];
  let previous: number | undefined;
  let firstKnown: number | undefined;
  for (const event of events) {
    const t = event.occurredAt === undefined ? undefined : parseTime(event.occurredAt);
    if (t !== undefined) firstKnown ??= t;
  }
  for (const event of events) {
    const own = event.occurredAt === undefined ? undefined : parseTime(event.occurredAt);
    const t = own ?? previous ?? options.startAt ?? firstKnown ?? 0;
    previous = t;
    timed.push({ event: own === undefined ? { ...event, occurredAt: new Date(t).toISOString() } : event, t });
  }
  timed.sort((a, b) => a.t - b.t);

  const states = new Map<string, ScopeState>();
  const due = new Set<string>();
  const intents: NotificationIntent[] = [];
  const record = (key: string, update: ScopeUpdate<ScopeState>) => {
    let state = update.state;
    if (!state) return;
    if (update.intents.length > 0) {
      intents.push(...update.intents);
      state = markPublished(
        state,
        update.intents.map((intent) => intent.notificationId),
      );
    }
    states.set(key, state);
    if (state.nextDueAt === undefined) due.delete(key);
    else due.add(key);
  };

  const first = timed[0];
  if (!first) return { intents, events: 0, scopes: 0 };
  let now = Math.floor(first.t / step) * step + step;
  let next = 0;
  // A guard against a config whose reminders never end; ten years of simulated minutes is plenty.
  for (let ticks = 0; ticks < 5_256_000 && (next < timed.length || due.size > 0); ticks++) {
    const batchEvents: TriageEvent[] = [];
    while (next < timed.length && (timed[next] as { t: number }).t < now) {
      batchEvents.push((timed[next] as { event: TriageEvent }).event);
      next++;
    }
    if (batchEvents.length > 0) {
      const batch: EventBatch = { batchId: `simulated-${now}`, receivedAt: now, events: batchEvents };
      for (const [key, scoped] of batchesByScope(batch, engineConfig)) {
        record(key, applyBatches(key, states.get(key), [scoped], now, engineConfig));
      }
    }
    let nextDue = Number.POSITIVE_INFINITY;
    for (const key of [...due]) {
      const state = states.get(key) as ScopeState;
      if ((state.nextDueAt ?? 0) <= now) record(key, sweepScope(state, now, engineConfig));
      const after = states.get(key)?.nextDueAt;
      if (after !== undefined && due.has(key)) nextDue = Math.min(nextDue, after);
    }
    // Skip the quiet minutes: jump to the next event's minute or the next due time, on the minute grid.
    const nextEvent = next < timed.length ? (timed[next] as { t: number }).t : Number.POSITIVE_INFINITY;
    const target = Math.min(nextEvent + 1, nextDue);
    if (!Number.isFinite(target)) break;
    now = Math.max(now + step, Math.ceil(target / step) * step);
  }
  return { intents, events: timed.length, scopes: states.size };
}
