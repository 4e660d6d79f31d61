import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { eventTime } from './event-time';
import { buildIntent } from './intent';
import { evaluate, ingestAll, workDueAt } from './lifecycle';
import { forgetBatches, rememberBatches, rememberedAmong } from './recent-batches';
import { describeScope, type ScopeDescriptor } from './scope-key';
import { type Concerns, LIMITS, type ScopeState, type Subject } from './scope-state';
import { batchFingerprint } from './stable-hash';
import type { EventBatch, NotificationIntent, NotificationKind, ScopeUpdate } from './types';

/**
 * The policy engine's entry points (docs/design.md, "The policy"): batches in, one record and the
 * notifications out per scope. Pure: time comes in as `now` (epoch ms), state comes in and goes out as
 * plain JSON, and the state given is never changed (the engine works on a copy).
 */

/** The events of one batch that belong to one scope (same id and receive time as the batch). */
export interface ScopeBatch extends EventBatch {
  readonly scope: ScopeDescriptor;
}

/**
 * The events of `batch` per scope key, in order of first appearance: each scope's events as a batch of its
 * own, which `applyBatches` takes for that scope without working out the scope of each event again.
 */
export function batchesByScope(batch: EventBatch, config: PolicyConfig): Map<string, ScopeBatch> {
  const byScope = new Map<string, { scope: ScopeDescriptor; events: TriageEvent[] }>();
  for (const event of batch.events) {
    const scope = describeScope(event, config);
    const found = byScope.get(scope.key);
    if (found) found.events.push(event);
    else byScope.set(scope.key, { scope, events: [event] });
  }
  return new Map([...byScope].map(([key, { scope, events }]) => [key, { ...batch, scope, events }]));
}

/** The scope keys the batches touch, in order of first appearance: the records to load before applying. */
export function scopeKeysOf(batches: readonly EventBatch[], config: PolicyConfig): string[] {
  const keys = new Set<string>();
  for (const batch of batches) for (const key of batchesByScope(batch, config).keys()) keys.add(key);
  return [...keys];
}

/** A new record for a scope first seen at event time `t`. */
function createScope(scope: ScopeDescriptor, t: number): ScopeState {
  const base = { version: 0, outbox: [], recentBatches: '', total: 0, firstSeen: t, lastSeen: t };
  switch (scope.kind) {
    case 'incident':
      return { ...base, ...scope, statusCounts: {}, window: [] };
    case 'account-issue':
      return { ...base, ...scope };
    case 'counter':
      return { ...base, ...scope, models: [], accounts: [], apps: [], sampleRequestIds: [] };
  }
}

/**
 * A copy of `state` to change: the lifecycle changes counts, lists, the window and the subject in place,
 * so those are copied; the outbox and its intents are only ever replaced, so they are shared.
 */
function draftOf(state: ScopeState): ScopeState {
  // Records written before recentBatches existed carry a list of applied batches instead: dropped.
  const { appliedBatches: _, ...rest } = state as ScopeState & { appliedBatches?: unknown };
  const recentBatches = typeof rest.recentBatches === 'string' ? rest.recentBatches : '';
  switch (rest.kind) {
    case 'incident':
      return {
        ...rest,
        recentBatches,
        statusCounts: { ...rest.statusCounts },
        window: rest.window.map(([t, status, count]) => [t, status, count]),
        ...(rest.pending && { pending: copyConcerns(rest.pending) }),
        ...(rest.current && { current: copySubject(rest.current) }),
      };
    case 'account-issue':
      return { ...rest, recentBatches, ...(rest.current && { current: copySubject(rest.current) }) };
    case 'counter':
      return { ...copyConcerns(rest), recentBatches };
  }
}

function copyConcerns<C extends Concerns>(concerns: C): C {
  return {
    ...concerns,
    apps: [...concerns.apps],
    accounts: [...concerns.accounts],
    models: [...concerns.models],
    sampleRequestIds: [...concerns.sampleRequestIds],
  };
}

function copySubject(subject: Subject): Subject {
  return {
    ...copyConcerns(subject),
    statusCounts: { ...subject.statusCounts },
    ...(subject.apiKeyIds && { apiKeyIds: [...subject.apiKeyIds] }),
  };
}

/** Whether a newer notice of the same subject replaces this one while it is still unpublished. */
const SUPERSEDED_BY_NEXT: Record<NotificationKind, boolean> = {
  'incident.opened': false,
  'incident.reminder': true,
  'incident.resolved': false,
  'incident.acknowledged': false,
  'account-issue.opened': false,
  'account-issue.updated': true,
  'account-issue.reminder': true,
  'account-issue.resolved': false,
  'account-issue.acknowledged': false,
};

/** Queue intents for publishing; an unpublished reminder or update is superseded by a newer one. */
function addToOutbox(
  outbox: NotificationIntent[],
  intents: readonly NotificationIntent[],
): NotificationIntent[] {
  let next = outbox;
  for (const intent of intents) {
    if (SUPERSEDED_BY_NEXT[intent.kind]) {
      next = next.filter((old) => !(old.subjectId === intent.subjectId && SUPERSEDED_BY_NEXT[old.kind]));
    }
    next = [...next, intent];
  }
  return next.slice(-LIMITS.outbox);
}

/** Version, outbox and due times of the draft; no state when `changed` is false and nothing changed. */
function finish(
  draft: ScopeState,
  previous: ScopeState | undefined,
  now: number,
  config: PolicyConfig,
  intents: NotificationIntent[],
  changed: boolean,
): ScopeUpdate<ScopeState> {
  if (intents.length > 0) draft.outbox = addToOutbox(draft.outbox, intents);
  const work = workDueAt(draft, config);
  let due = work;
  if (draft.outbox.length > 0) {
    // Never postpone a retry already scheduled; otherwise the sweep retries after outboxRetrySeconds.
    const scheduled = previous?.outbox.length ? previous.nextDueAt : undefined;
    const retryAt = now + config.outboxRetrySeconds * 1000;
    const retry = scheduled !== undefined && scheduled > now ? Math.min(scheduled, retryAt) : retryAt;
    due = due === undefined ? retry : Math.min(due, retry);
  }
  draft.workDueAt = work;
  draft.nextDueAt = due;
  // Besides what `changed` covers (every change of evaluate and ingest), only the due times can move.
  if (
    !changed &&
    previous &&
    intents.length === 0 &&
    draft.workDueAt === previous.workDueAt &&
    draft.nextDueAt === previous.nextDueAt
  ) {
    return { intents: [] };
  }
  draft.version = (previous?.version ?? 0) + 1;
  return { state: draft, intents };
}

/** A scope's errors from some batches, with their event times (`times[i]` for `events[i]`). */
interface ScopeErrors {
  readonly events: TriageEvent[];
  readonly times: number[];
}

/** Add the errors of `batch` that belong to scope `key` to `errors`; returns their scope, if any. */
function addErrorsOf(
  batch: EventBatch | ScopeBatch,
  key: string,
  config: PolicyConfig,
  errors: ScopeErrors,
): ScopeDescriptor | undefined {
  const split = 'scope' in batch && batch.scope.key === key;
  let found = split ? batch.scope : undefined;
  for (const event of batch.events) {
    if (!split) {
      const scope = describeScope(event, config);
      if (scope.key !== key) continue;
      found ??= scope;
    }
    errors.events.push(event);
    errors.times.push(eventTime(event.occurredAt, batch.receivedAt));
  }
  return found;
}

/** `errors` in event-time order (stable: equal times keep their order). */
function inTimeOrder({ events, times }: ScopeErrors): ScopeErrors {
  if (times.every((t, i) => i === 0 || (times[i - 1] as number) <= t)) return { events, times };
  const order = [...times.keys()].sort((a, b) => (times[a] as number) - (times[b] as number));
  return { events: order.map((i) => events[i] as TriageEvent), times: order.map((i) => times[i] as number) };
}

export interface ApplyOptions {
  /**
   * Fingerprints (`batchFingerprint`) of batches known to be settled: saved in every scope they touched
   * (the triage handler reads their markers). They are never applied again, and a write of the scope
   * forgets them (see recent-batches.ts for why that keeps counting exact).
   */
  readonly settled?: ReadonlySet<string>;
}

/**
 * Apply the events of `batches` that belong to scope `key` at processing time `now` (a batch may be the
 * scope's part of one, from `batchesByScope`). Idempotent per
 * batchId: a batch this scope remembers, or one in `options.settled`, is skipped, so replaying it changes
 * nothing and emits nothing. Returns no state when no new event belongs to the scope.
 */
export function applyBatches(
  key: string,
  state: ScopeState | undefined,
  batches: readonly (EventBatch | ScopeBatch)[],
  now: number,
  config: PolicyConfig,
  options: ApplyOptions = {},
): ScopeUpdate<ScopeState> {
  const { settled } = options;
  const candidates = new Map<string, EventBatch | ScopeBatch>();
  for (const batch of batches) {
    const fingerprint = batchFingerprint(batch.batchId);
    if (!candidates.has(fingerprint) && !settled?.has(fingerprint)) candidates.set(fingerprint, batch);
  }
  const recent = typeof state?.recentBatches === 'string' ? state.recentBatches : '';
  const remembered = rememberedAmong(recent, [...candidates.keys()]);
  const applied: string[] = [];
  const errors: ScopeErrors = { events: [], times: [] };
  let scope: ScopeDescriptor | undefined;
  [...candidates].forEach(([fingerprint, batch], i) => {
    if (remembered[i]) return;
    const found = addErrorsOf(batch, key, config, errors);
    if (found) applied.push(fingerprint);
    scope ??= found;
  });
  if (!scope) return { intents: [] };
  const { events, times } = inTimeOrder(errors);
  const draft = state ? draftOf(state) : createScope(scope, times[0] as number);
  draft.recentBatches = rememberBatches(
    forgetBatches(draft.recentBatches, settled),
    applied,
    now,
    config.dedupe,
  );
  const intents: NotificationIntent[] = [];
  ingestAll(draft, events, times, now, config, intents);
  evaluate(draft, now, config, intents);
  return finish(draft, state, now, config, intents, true);
}

/** Due work of one scope at `now`: group wait elapsed, updates, reminders, resolves, silences ended. */
export function sweepScope(state: ScopeState, now: number, config: PolicyConfig): ScopeUpdate<ScopeState> {
  const draft = draftOf(state);
  const intents: NotificationIntent[] = [];
  const changed = evaluate(draft, now, config, intents);
  return finish(draft, state, now, config, intents, changed);
}

/** Remove published notifications from the outbox (version + 1); the same state when none was in it. */
export function markPublished(state: ScopeState, notificationIds: readonly string[]): ScopeState {
  const published = new Set(notificationIds);
  const outbox = state.outbox.filter((intent) => !published.has(intent.notificationId));
  if (outbox.length === state.outbox.length) return state;
  const nextDueAt = outbox.length === 0 ? state.workDueAt : state.nextDueAt;
  return { ...state, outbox, version: state.version + 1, nextDueAt };
}

/** What `acknowledgeSubject` found. */
export type AcknowledgeResult =
  | { readonly outcome: 'acknowledged'; readonly update: ScopeUpdate<ScopeState> }
  /** The scope has no open subject with this id (it resolved, or never was). */
  | { readonly outcome: 'not-open' }
  | { readonly outcome: 'already-acknowledged'; readonly by: string };

/**
 * Acknowledge the open subject `subjectId` of a scope at `now` (docs/design.md, "Acknowledge"): no more
 * reminders until it resolves, and one `*.acknowledged` notice, never held by a silence (like a resolve,
 * it answers people already at work). A new subject after the resolve pages again.
 */
export function acknowledgeSubject(
  state: ScopeState,
  subjectId: string,
  ack: { readonly by: string; readonly comment?: string },
  now: number,
  config: PolicyConfig,
): AcknowledgeResult {
  if (state.kind === 'counter' || state.current?.id !== subjectId) return { outcome: 'not-open' };
  if (state.current.acknowledgedBy !== undefined) {
    return { outcome: 'already-acknowledged', by: state.current.acknowledgedBy };
  }
  const draft = draftOf(state);
  if (draft.kind === 'counter' || !draft.current) return { outcome: 'not-open' };
  const subject = draft.current;
  const kind = draft.kind === 'incident' ? 'incident.acknowledged' : 'account-issue.acknowledged';
  const intent: NotificationIntent = {
    ...buildIntent(draft, subject, kind, now),
    acknowledgedBy: ack.by,
    ...(ack.comment !== undefined ? { acknowledgeComment: ack.comment } : {}),
  };
  subject.notices += 1;
  subject.acknowledgedBy = ack.by;
  subject.acknowledgedAt = now;
  return { outcome: 'acknowledged', update: finish(draft, state, now, config, [intent], true) };
}
