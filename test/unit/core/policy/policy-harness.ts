import { deepFreeze } from '../../../../functions/core/deep-freeze';
import type { TriageEvent } from '../../../../functions/core/event';
import {
  applyBatches,
  type EventBatch,
  markPublished,
  type NotificationIntent,
  type PolicyConfig,
  type ScopeState,
  scopeKeysOf,
  sweepScope,
} from '../../../../functions/core/policy';

/** 2026-11-25T15:00:00Z: every test clock counts from here. */
export const T0 = Date.UTC(2026, 10, 25, 15);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const MODEL = 'accounts/fireworks/models/llama-v3p1-8b-instruct';

let counter = 0;

/** A canonical event at `T0 + at` ms (event time). */
export function event(status: number, at: number, fields: Partial<TriageEvent> = {}): TriageEvent {
  counter += 1;
  return {
    id: `e-${counter}`,
    status,
    model: MODEL,
    app: 'checkout',
    requestId: `req-${counter}`,
    occurredAt: new Date(T0 + at).toISOString(),
    ...fields,
  };
}

/**
 * An in-memory stand-in for the triage and sweep handlers: applies batches per scope key, sweeps due scopes,
 * and marks what it returns as published (unless told not to). Every state it keeps and every batch it
 * applies is deep-frozen, so a test fails (TypeError in strict mode) if the engine mutates its inputs.
 */
export class PolicyStore {
  readonly states = new Map<string, ScopeState>();
  readonly sent: NotificationIntent[] = [];
  private batches = 0;

  constructor(
    readonly config: PolicyConfig,
    private readonly publish = true,
  ) {}

  /** Apply one batch received at `T0 + now`; returns the intents it produced. */
  apply(
    events: readonly TriageEvent[],
    now: number,
    batchId = `batch-${++this.batches}`,
  ): NotificationIntent[] {
    return this.applyBatch({ batchId, receivedAt: T0 + now, events }, now);
  }

  applyBatch(batch: EventBatch, now: number): NotificationIntent[] {
    deepFreeze(batch);
    const out: NotificationIntent[] = [];
    for (const key of scopeKeysOf([batch], this.config)) {
      out.push(...this.store(key, applyBatches(key, this.states.get(key), [batch], T0 + now, this.config)));
    }
    return out;
  }

  /** Sweep every scope due at `T0 + now`. */
  sweep(now: number): NotificationIntent[] {
    const out: NotificationIntent[] = [];
    for (const [key, state] of [...this.states]) {
      if (state.nextDueAt !== undefined && state.nextDueAt <= T0 + now) {
        out.push(...this.store(key, sweepScope(state, T0 + now, this.config)));
      }
    }
    return out;
  }

  /** Sweep every minute from `from` to `to` (inclusive), as the EventBridge schedule does. */
  sweepEveryMinute(from: number, to: number): NotificationIntent[] {
    const out: NotificationIntent[] = [];
    for (let now = from; now <= to; now += MIN) out.push(...this.sweep(now));
    return out;
  }

  scope(key: string): ScopeState {
    const state = this.states.get(key);
    if (!state) throw new Error(`no scope ${key}; have ${[...this.states.keys()].join(', ')}`);
    return state;
  }

  private store(key: string, update: { state?: ScopeState; intents: readonly NotificationIntent[] }) {
    if (!update.state) return [];
    let state = update.state;
    if (this.publish && update.intents.length > 0) {
      state = markPublished(
        state,
        update.intents.map((i) => i.notificationId),
      );
    }
    this.states.set(key, deepFreeze(state));
    this.sent.push(...update.intents);
    return update.intents;
  }
}

export const kinds = (intents: readonly NotificationIntent[]) => intents.map((i) => i.kind);
