import { seededRandom } from '../../../../bench/fixtures/random';
import { deepFreeze } from '../../../../functions/core/deep-freeze';
import type { TriageEvent } from '../../../../functions/core/event';
import {
  applyBatches,
  batchFingerprint,
  type EventBatch,
  markPublished,
  type NotificationIntent,
  type PolicyConfig,
  type ScopeState,
  type ScopeUpdate,
  scopeKeysOf,
  sweepScope,
} from '../../../../functions/core/policy';

/**
 * A seeded stream of triage traffic that exercises what the engine must get exactly right: mixed statuses
 * and scopes, bursts and quiet gaps (opens, reminders, resolves), late, future, missing and non-canonical
 * event times, events out of order within a message, more than 20 distinct apps, repeated request ids,
 * redeliveries, settled batches and publishes that fail (outbox). `play` runs it through the engine as the
 * triage and sweep handlers would and records every update, to compare with a committed trace.
 */

export type Step =
  | {
      readonly type: 'invoke';
      readonly now: number;
      readonly batches: readonly EventBatch[];
      readonly settled: readonly string[];
      readonly publish: boolean;
    }
  | { readonly type: 'sweep'; readonly now: number; readonly publish: boolean };

const MODELS = ['m/llama-8b', 'm/llama-70b', 'm/deepseek', 'm/qwen', 'm/lora#1'];
const ACCOUNTS = ['acme', 'globex', 'initech', 'umbrella'];
const ENDPOINTS = ['/inference/v1/chat/completions', '/inference/v1/completions'];
const APPS = Array.from({ length: 26 }, (_, i) => `app-${i}`);
const STATUSES: readonly (readonly [number, number])[] = [
  [429, 20],
  [400, 8],
  [404, 4],
  [503, 14],
  [502, 5],
  [504, 5],
  [520, 2],
  [599, 1],
  [500, 5],
  [401, 6],
  [402, 3],
  [403, 3],
  [412, 4],
  [418, 1],
];
const MESSAGES: Readonly<Record<number, readonly string[]>> = {
  412: ['Account accounts/acme is suspended', 'Failed to load LoRA adapter x', 'precondition failed'],
  404: ['Model not found, inaccessible, and/or not deployed', 'path /v1/chat not found'],
  503: ['Service temporarily unavailable'],
};

export interface StreamOptions {
  readonly seed: number;
  readonly events: number;
  /** Processing time of the first step (epoch ms). */
  readonly startAt: number;
}

export function seededStream(options: StreamOptions): Step[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const weighted = (): number => {
    let r = random() * STATUSES.reduce((sum, [, w]) => sum + w, 0);
    for (const [status, w] of STATUSES) {
      r -= w;
      if (r < 0) return status;
    }
    return 429;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const steps: Step[] = [];
  const applied: EventBatch[] = [];
  let now = options.startAt;
  let lastSweep = now;
  let made = 0;
  let request = 0;
  let batchNo = 0;
  const advance = (ms: number) => {
    const until = now + ms;
    // The schedule sweeps every minute while time passes.
    while (lastSweep + 60_000 <= until) {
      lastSweep += 60_000;
      steps.push({ type: 'sweep', now: lastSweep, publish: !chance(0.1) });
    }
    now = until;
  };
  const occurredAt = (base: number): string | undefined => {
    const r = random();
    if (r < 0.15) return undefined;
    if (r < 0.2) return iso(base - 180_000 - Math.floor(random() * 2_400_000));
    if (r < 0.23) return iso(base - 3_600_000 - Math.floor(random() * 7_200_000));
    if (r < 0.26) return iso(base + 60_000 + Math.floor(random() * 1_200_000));
    if (r < 0.28) return iso(base).replace(/\.\d{3}Z$/, 'Z');
    if (r < 0.29) return iso(base + 3_600_000).replace(/\.(\d{3})Z$/, '.$1+01:00');
    if (r < 0.295) return 'not a time';
    return iso(base);
  };
  const eventAt = (base: number, storm: { status: number; model: string } | undefined): TriageEvent => {
    const status = storm && chance(0.9) ? storm.status : weighted();
    const noModel = chance(0.1);
    const model = storm && !noModel ? storm.model : noModel ? undefined : pick(MODELS);
    const endpoint = model === undefined && chance(0.6) ? pick(ENDPOINTS) : undefined;
    const account = chance(0.2) ? undefined : pick(ACCOUNTS);
    const app = chance(0.15) ? undefined : chance(0.7) ? pick(APPS.slice(0, 4)) : pick(APPS);
    const requestId = chance(0.2) ? undefined : chance(0.1) ? `req-pool-${request % 7}` : `req-${request}`;
    request++;
    const message = MESSAGES[status] ? pick(MESSAGES[status] as readonly string[]) : undefined;
    const at = occurredAt(base);
    return {
      id: `e-${request}`,
      status,
      ...(message !== undefined ? { message } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
      ...(model !== undefined ? { model } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(account !== undefined ? { account } : {}),
      ...(app !== undefined ? { app } : {}),
      ...(at !== undefined ? { occurredAt: at } : {}),
    };
  };
  while (made < options.events) {
    const gap = random();
    // Mostly steady traffic; sometimes a quiet stretch long enough to resolve incidents and groups.
    advance(gap < 0.97 ? 5000 + Math.floor(random() * 30_000) : 600_000 + Math.floor(random() * 4_800_000));
    const messages = chance(0.6) ? 1 : 1 + Math.floor(random() * 10);
    const batches: EventBatch[] = [];
    for (let m = 0; m < messages && made < options.events; m++) {
      const size = Math.min(
        options.events - made,
        chance(0.15) ? 100 : chance(0.5) ? 1 + Math.floor(random() * 5) : 1 + Math.floor(random() * 60),
      );
      const storm = chance(0.2)
        ? { status: pick([503, 502, 500, 402, 412]), model: pick(MODELS) }
        : undefined;
      const receivedAt = now - Math.floor(random() * 3000);
      // Events of a message span up to a few minutes, usually in order.
      const spread = chance(0.3) ? 240_000 : 5000;
      const events: TriageEvent[] = [];
      for (let i = 0; i < size; i++) {
        events.push(eventAt(receivedAt - spread + Math.floor((spread * i) / size), storm));
      }
      if (chance(0.15)) {
        for (let i = events.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [events[i], events[j]] = [events[j] as TriageEvent, events[i] as TriageEvent];
        }
      }
      made += size;
      batches.push({ batchId: `b-${options.seed}-${batchNo++}`, receivedAt, events });
    }
    // Redeliveries: an earlier message again (a fresh object, as a new invocation would parse it).
    if (applied.length > 0 && chance(0.08)) batches.push({ ...pick(applied) });
    if (batches.length > 1 && chance(0.03)) batches.push({ ...(batches[0] as EventBatch) });
    const settled =
      applied.length > 20 && chance(0.5)
        ? applied.slice(0, applied.length - 20).map((batch) => batchFingerprint(batch.batchId))
        : [];
    steps.push({ type: 'invoke', now, batches: deepFreeze(batches), settled, publish: !chance(0.1) });
    applied.push(...batches);
  }
  // Let everything resolve.
  advance(6 * 3_600_000);
  return steps;
}

/**
 * What a played stream produced: per step, its updates (scope key + JSON, in order; property order too, so
 * records stay byte-identical), the intents and the records at the end.
 */
export interface Trace {
  readonly steps: string[];
  readonly intents: NotificationIntent[];
  readonly states: Record<string, ScopeState>;
}

/** JSON with every object's keys in sorted order: what an update says, whatever order its keys were added in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/** Play `steps` through the engine as the triage handler (per invocation) and the sweep (per minute) do. */
export function play(played: readonly Step[], config: PolicyConfig): Trace {
  const states = new Map<string, ScopeState>();
  const steps: string[] = [];
  let updates = '';
  const intents: NotificationIntent[] = [];
  const store = (key: string, update: ScopeUpdate<ScopeState>, publish: boolean) => {
    updates += `${key} ${canonicalJson(update)}\n`;
    if (!update.state) return;
    intents.push(...update.intents);
    const state =
      publish && update.intents.length > 0
        ? markPublished(
            update.state,
            update.intents.map((i) => i.notificationId),
          )
        : update.state;
    states.set(key, deepFreeze(state));
  };
  for (const step of played) {
    updates = '';
    if (step.type === 'invoke') {
      const byScope = new Map<string, EventBatch[]>();
      for (const batch of step.batches) {
        for (const key of scopeKeysOf([batch], config)) {
          const list = byScope.get(key);
          if (list) list.push(batch);
          else byScope.set(key, [batch]);
        }
      }
      const settled = new Set(step.settled);
      for (const [key, batches] of byScope) {
        store(key, applyBatches(key, states.get(key), batches, step.now, config, { settled }), step.publish);
      }
    } else {
      for (const [key, state] of [...states]) {
        if (state.nextDueAt !== undefined && state.nextDueAt <= step.now) {
          store(key, sweepScope(state, step.now, config), step.publish);
        }
      }
    }
    steps.push(updates);
  }
  return { steps, intents, states: Object.fromEntries(states) };
}
