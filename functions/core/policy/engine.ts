import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { eventTime } from './event-time';
import { buildIntent } from './intent';
import { evaluate, ingestAll, workDueAt } from './lifecycle';
import { forgetBatches, rememberBatches, rememberedAmong } from './recent-batches';
import { describeScope, type ScopeDescriptor, scopeDescriber } from './scope-key';
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
  /** `batchFingerprint(batchId)`, worked out once for all the scopes of the batch. */
  readonly fingerprint: string;
  /** The event time of each event (`times[i]` for `events[i]`), read once in the split. */
  readonly times: readonly number[];
}

/**
 * The events of `batch` per scope key, in order of first appearance: each scope's events as a batch of its
 * own, which `applyBatches` takes for that scope without working out the scope or time of each event again.
 */
export function batchesByScope(batch: EventBatch, config: PolicyConfig): Map<string, ScopeBatch> {
  const fingerprint = batchFingerprint(batch.batchId);
  const scopeOf = scopeDescriber(config);
  const byScope = new Map<string, ScopeBatch & { events: TriageEvent[]; times: number[] }>();
  for (const event of batch.events) {
    const scope = scopeOf(event);
    const time = eventTime(event.occurredAt, batch.receivedAt);
    const found = byScope.get(scope.key);
    if (found) {
      found.events.push(event);
      found.times.push(time);
    } else {
      const { batchId, receivedAt } = batch;
      byScope.set(scope.key, { batchId, receivedAt, scope, fingerprint, events: [event], times: [time] });
    }
  }
  return byScope;
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
  const recentBatches = typeof state.recentBatches === 'string' ? state.recentBatches : '';
  const draft = copyRecord(state, recentBatches);
  // Records written before recentBatches existed carry a list of applied batches instead: dropped.
  if ('appliedBatches' in draft) delete draft.appliedBatches;
  return draft;
}

function copyRecord(state: ScopeState, recentBatches: string): ScopeState {
  switch (state.kind) {
    case 'incident':
      return {
        ...state,
        recentBatches,
        statusCounts: { ...state.statusCounts },
        window: state.window.map(([t, status, count]) => [t, status, count]),
        pending: state.pending && copyConcerns(state.pending),
        current: state.current && copySubject(state.current),
      };
    case 'account-issue':
      return { ...state, recentBatches, current: state.current && copySubject(state.current) };
    case 'counter':
      return { ...copyConcerns(state), recentBatches };
  }
}

function copyConcerns<C extends Concerns>(concerns: C): C {
  return {
    ...concerns,
    apps: [...concerns.apps],
    accounts: [...concerns.accounts],
    models: [...concerns.models],
    sampleRequestIds: [...concerns.sampleRequestIds],
    ...(concerns.environments && { environments: [...concerns.environments] }),
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

/** A scope's errors, with their event times (`times[i]` for `events[i]`). */
interface ScopeErrors {
  readonly events: readonly TriageEvent[];
  readonly times: readonly number[];
}

/** The errors of `batch` that belong to scope `key`, with their scope; none when no event does. */
function errorsOf(
  batch: EventBatch | ScopeBatch,
  key: string,
  config: PolicyConfig,
): (ScopeErrors & { readonly scope: ScopeDescriptor }) | undefined {
  // The scope's part of a batch split by batchesByScope is already that.
  if ('scope' in batch && batch.scope.key === key) return batch;
  let scope: ScopeDescriptor | undefined;
  const events: TriageEvent[] = [];
  const times: number[] = [];
  for (const event of batch.events) {
    const found = describeScope(event, config);
    if (found.key !== key) continue;
    scope ??= found;
    events.push(event);
    times.push(eventTime(event.occurredAt, batch.receivedAt));
  }
  return scope && { scope, events, times };
}

/** The errors of several batches together, in event-time order (stable: equal times keep their order). */
function inTimeOrder(parts: readonly ScopeErrors[]): ScopeErrors {
  const [first] = parts;
  const { events, times } =
    parts.length === 1 && first
      ? first
      : { events: parts.flatMap((part) => part.events), times: parts.flatMap((part) => part.times) };
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
    const fingerprint = 'fingerprint' in batch ? batch.fingerprint : batchFingerprint(batch.batchId);
    if (!candidates.has(fingerprint) && !settled?.has(fingerprint)) candidates.set(fingerprint, batch);
  }
  const recent = typeof state?.recentBatches === 'string' ? state.recentBatches : '';
  const fingerprints = [...candidates.keys()];
  const remembered = rememberedAmong(recent, fingerprints);
  const applied: string[] = [];
  const parts: ScopeErrors[] = [];
  let scope: ScopeDescriptor | undefined;
  fingerprints.forEach((fingerprint, i) => {
    const errors = remembered[i]
      ? undefined
      : errorsOf(candidates.get(fingerprint) as EventBatch, key, config);
    if (!errors) return;
    applied.push(fingerprint);
    parts.push(errors);
    scope ??= errors.scope;
  });
  if (!scope) return { intents: [] };
  const { events, times } = inTimeOrder(parts);
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
