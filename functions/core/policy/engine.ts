import { parseTime } from '../event';
import type { PolicyConfig } from './config';
import { evaluate, ingest, type TimedEvent, workDueAt } from './lifecycle';
import { describeScope, type ScopeDescriptor } from './scope-key';
import { LIMITS, type ScopeState } from './scope-state';
import { batchFingerprint } from './stable-hash';
import type { EventBatch, NotificationIntent, ScopeUpdate } from './types';

/**
 * The policy engine's entry points (DESIGN §5–§7): batches in, one record and the notifications out per
 * scope. Pure: time comes in as `now` (epoch ms), state comes in and goes out as plain JSON.
 */

interface ScopeGroup {
  readonly descriptor: ScopeDescriptor;
  readonly events: TimedEvent[];
}

// Each batch is split by scope once per config, not once per scope key that asks for its events.
const groupsByBatch = new WeakMap<EventBatch, { config: PolicyConfig; groups: Map<string, ScopeGroup> }>();

function groupsOf(batch: EventBatch, config: PolicyConfig): Map<string, ScopeGroup> {
  const cached = groupsByBatch.get(batch);
  if (cached?.config === config) return cached.groups;
  const groups = new Map<string, ScopeGroup>();
  for (const event of batch.events) {
    const descriptor = describeScope(event, config);
    let group = groups.get(descriptor.key);
    if (!group) {
      group = { descriptor, events: [] };
      groups.set(descriptor.key, group);
    }
    const occurred = event.occurredAt === undefined ? undefined : parseTime(event.occurredAt);
    group.events.push({ event, t: occurred ?? batch.receivedAt });
  }
  groupsByBatch.set(batch, { config, groups });
  return groups;
}

/** The scope keys the batches touch, in order of first appearance: the records to load before applying. */
export function scopeKeysOf(batches: readonly EventBatch[], config: PolicyConfig): string[] {
  const keys = new Set<string>();
  for (const batch of batches) for (const key of groupsOf(batch, config).keys()) keys.add(key);
  return [...keys];
}

function createScope(d: ScopeDescriptor, t: number): ScopeState {
  const base = {
    key: d.key,
    version: 0,
    outbox: [],
    appliedBatches: [],
    total: 0,
    firstSeen: t,
    lastSeen: t,
  };
  switch (d.kind) {
    case 'incident':
      return {
        ...base,
        kind: 'incident',
        rule: d.rule,
        ...(d.model !== undefined ? { model: d.model } : {}),
        ...(d.endpoint !== undefined ? { endpoint: d.endpoint } : {}),
        statusCounts: {},
        window: [],
      };
    case 'account-issue':
      return {
        ...base,
        kind: 'account-issue',
        account: d.account,
        status: d.status,
        ...(d.subtype !== undefined ? { subtype: d.subtype } : {}),
      };
    case 'counter':
      return {
        ...base,
        kind: 'counter',
        status: d.status,
        ...(d.model !== undefined ? { model: d.model } : {}),
        ...(d.account !== undefined ? { account: d.account } : {}),
        ...(d.app !== undefined ? { app: d.app } : {}),
        sampleRequestIds: [],
      };
  }
}

function pruneAppliedBatches(scope: ScopeState, now: number, config: PolicyConfig): void {
  const horizon = now - config.dedupe.horizonSeconds * 1000;
  const applied = scope.appliedBatches;
  let drop = 0;
  while (drop < applied.length && (applied[drop] as [string, number])[1] < horizon) drop++;
  drop = Math.max(drop, applied.length - config.dedupe.maxBatchIds);
  if (drop > 0) applied.splice(0, drop);
}

const superseding = new Set(['incident.reminder', 'account-issue.updated', 'account-issue.reminder']);

/** Queue intents for publishing; an unpublished reminder or update is superseded by a newer one. */
function addToOutbox(
  outbox: NotificationIntent[],
  intents: readonly NotificationIntent[],
): NotificationIntent[] {
  let next = outbox;
  for (const intent of intents) {
    if (superseding.has(intent.kind)) {
      next = next.filter((old) => !(old.subjectId === intent.subjectId && superseding.has(old.kind)));
    }
    next = [...next, intent];
  }
  return next.length > LIMITS.outbox ? next.slice(next.length - LIMITS.outbox) : next;
}

/** Version, outbox and due time of the draft; no state when `changed` is false and nothing changed. */
function finish(
  draft: ScopeState,
  previous: ScopeState | undefined,
  now: number,
  config: PolicyConfig,
  intents: NotificationIntent[],
  changed: boolean,
): ScopeUpdate<ScopeState> {
  draft.outbox = addToOutbox(draft.outbox, intents);
  const work = workDueAt(draft, config);
  if (work === undefined) delete draft.workDueAt;
  else draft.workDueAt = work;
  let due = work;
  if (draft.outbox.length > 0) {
    // Never postpone a retry already scheduled; otherwise the sweep retries after outboxRetrySeconds.
    const scheduled = previous?.outbox.length ? previous.nextDueAt : undefined;
    const retryAt = now + config.outboxRetrySeconds * 1000;
    const retry = scheduled !== undefined && scheduled > now ? Math.min(scheduled, retryAt) : retryAt;
    due = due === undefined ? retry : Math.min(due, retry);
  }
  if (due === undefined) delete draft.nextDueAt;
  else draft.nextDueAt = due;
  draft.version = previous?.version ?? 0;
  if (!changed && previous && intents.length === 0 && JSON.stringify(draft) === JSON.stringify(previous)) {
    return { intents: [] };
  }
  draft.version += 1;
  return { state: draft, intents };
}

/**
 * Apply the events of `batches` that belong to scope `key` at processing time `now`. Idempotent per
 * batchId: a batch already applied to this scope is skipped, so replaying it changes nothing and emits
 * nothing. Returns no state when no new event belongs to the scope.
 */
export function applyBatches(
  key: string,
  state: ScopeState | undefined,
  batches: readonly EventBatch[],
  now: number,
  config: PolicyConfig,
): ScopeUpdate<ScopeState> {
  const fresh: TimedEvent[] = [];
  const applied = new Set<string>();
  let descriptor: ScopeDescriptor | undefined;
  for (const batch of batches) {
    const group = groupsOf(batch, config).get(key);
    if (!group) continue;
    const fingerprint = batchFingerprint(batch.batchId);
    if (applied.has(fingerprint) || state?.appliedBatches.some(([seen]) => seen === fingerprint)) continue;
    applied.add(fingerprint);
    descriptor = group.descriptor;
    for (const timed of group.events) fresh.push(timed);
  }
  if (!descriptor || fresh.length === 0) return { intents: [] };
  fresh.sort((a, b) => a.t - b.t);
  const draft = state ? structuredClone(state) : createScope(descriptor, (fresh[0] as TimedEvent).t);
  for (const fingerprint of applied) draft.appliedBatches.push([fingerprint, now]);
  pruneAppliedBatches(draft, now, config);
  const intents: NotificationIntent[] = [];
  for (const timed of fresh) ingest(draft, timed, now, config, intents);
  evaluate(draft, now, config, intents);
  return finish(draft, state, now, config, intents, true);
}

/** Due work of one scope at `now`: group wait elapsed, updates, reminders, resolves, silences ended. */
export function sweepScope(state: ScopeState, now: number, config: PolicyConfig): ScopeUpdate<ScopeState> {
  const draft = structuredClone(state);
  const intents: NotificationIntent[] = [];
  evaluate(draft, now, config, intents);
  return finish(draft, state, now, config, intents, false);
}

/** Remove published notifications from the outbox (version + 1); the same state when none was in it. */
export function markPublished(state: ScopeState, notificationIds: readonly string[]): ScopeState {
  const published = new Set(notificationIds);
  const outbox = state.outbox.filter((intent) => !published.has(intent.notificationId));
  if (outbox.length === state.outbox.length) return state;
  const next: ScopeState = { ...state, outbox, version: state.version + 1 };
  if (outbox.length === 0) {
    if (state.workDueAt === undefined) delete next.nextDueAt;
    else next.nextDueAt = state.workDueAt;
  }
  return next;
}
