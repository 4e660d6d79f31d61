import type { TriageEvent } from '../event';
import { splitBatch } from './batch-split';
import type { PolicyConfig } from './config';
import { type ErrorRun, errorRunOf, isSorted } from './error-run';
import { evaluate, ingestRuns, workDueAt } from './lifecycle';
import { forgetBatches, rememberBatches } from './recent-batches';
import { noteRemembered, rememberedBy } from './recent-batches-filter';
import { createScope, draftOf, shallowCopy } from './records';
import type { ScopeDescriptor } from './scope-key';
import { LIMITS, type ScopeState } from './scope-state';
import type { EventBatch, NotificationIntent, ScopeUpdate } from './types';

/**
 * The policy engine's entry points (DESIGN §5–§7): batches in, one record and the notifications out per
 * scope. Pure: time comes in as `now` (epoch ms), state comes in and goes out as plain JSON, and the state
 * given is never modified (the draft is a copy of the parts that change).
 */

/** The scope keys the batches touch, in order of first appearance: the records to load before applying. */
export function scopeKeysOf(batches: readonly EventBatch[], config: PolicyConfig): string[] {
  if (batches.length === 1) return [...splitBatch(batches[0] as EventBatch, config).keys];
  const keys = new Set<string>();
  for (const batch of batches) for (const key of splitBatch(batch, config).keys) keys.add(key);
  return [...keys];
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
  if (intents.length > 0) draft.outbox = addToOutbox(draft.outbox, intents);
  const work = workDueAt(draft, config);
  draft.workDueAt = work;
  let due = work;
  if (draft.outbox.length > 0) {
    // Never postpone a retry already scheduled; otherwise the sweep retries after outboxRetrySeconds.
    const scheduled = previous?.outbox.length ? previous.nextDueAt : undefined;
    const retryAt = now + config.outboxRetrySeconds * 1000;
    const retry = scheduled !== undefined && scheduled > now ? Math.min(scheduled, retryAt) : retryAt;
    due = due === undefined ? retry : Math.min(due, retry);
  }
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

/**
 * The events of `groups` as runs in event-time order (stable: equal times keep their order), to apply one
 * after the other: the groups' own runs when they already follow each other in time (the usual case:
 * nothing is copied), else one merged, sorted run.
 */
function inTimeOrder(groups: readonly ErrorRun[]): readonly ErrorRun[] {
  let ordered = true;
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const run of groups) {
    if (!isSorted(run) || (run.times[run.start] as number) < previousEnd) {
      ordered = false;
      break;
    }
    previousEnd = run.times[run.end - 1] as number;
  }
  if (ordered) return groups;
  const events: TriageEvent[] = [];
  const times: number[] = [];
  for (const run of groups) {
    for (let i = run.start; i < run.end; i++) {
      events.push(run.events[i] as TriageEvent);
      times.push(run.times[i] as number);
    }
  }
  const order = Array.from(times.keys()).sort((a, b) => (times[a] as number) - (times[b] as number));
  return [
    errorRunOf(
      order.map((i) => events[i] as TriageEvent),
      order.map((i) => times[i] as number),
    ),
  ];
}

export interface ApplyOptions {
  /**
   * Fingerprints (`batchFingerprint`) of batches known to be settled: saved in every scope they touched
   * (the triage handler reads their markers). They are never applied again, and a write of the scope
   * forgets them (see recent-batches.ts for why that keeps counting exact).
   */
  readonly settled?: ReadonlySet<string>;
  /**
   * The caller gives `state` up: its lists, counts and subject are changed in place instead of copied
   * (its top-level fields are not, so `state.version` still reads the version it had). Only for a caller
   * that never reads `state` again, as the triage handler, whose states come fresh from the table.
   */
  readonly owned?: boolean;
}

/**
 * Apply the events of `batches` that belong to scope `key` at processing time `now`. Idempotent per
 * batchId: a batch this scope remembers, or one in `options.settled`, is skipped, so replaying it changes
 * nothing and emits nothing. Returns no state when no new event belongs to the scope.
 */
export function applyBatches(
  key: string,
  state: ScopeState | undefined,
  batches: readonly EventBatch[],
  now: number,
  config: PolicyConfig,
  options: ApplyOptions = {},
): ScopeUpdate<ScopeState> {
  const { settled, owned = false } = options;
  const candidates: string[] = [];
  const candidateGroups: ErrorRun[] = [];
  const candidateScopes: ScopeDescriptor[] = [];
  // The scope's descriptor once found: other batches share the object (descriptors are cached per config),
  // so they are searched by identity, not by comparing key strings; by key if the cache was refilled.
  let scope: ScopeDescriptor | undefined;
  for (const batch of batches) {
    const { fingerprint, keys, runs, descriptors } = splitBatch(batch, config);
    let g = scope === undefined ? -1 : descriptors.indexOf(scope);
    if (g === -1) {
      g = keys.indexOf(key);
      if (g === -1) continue;
      scope = descriptors[g];
    }
    if (candidates.includes(fingerprint) || settled?.has(fingerprint)) continue;
    candidates.push(fingerprint);
    candidateGroups.push(runs[g] as ErrorRun);
    candidateScopes.push(descriptors[g] as ScopeDescriptor);
  }
  const recent = typeof state?.recentBatches === 'string' ? state.recentBatches : '';
  const remembered = rememberedBy(key, recent, candidates);
  // Usually none is: then the candidates are taken as they are.
  const anyRemembered = remembered.includes(true);
  const fingerprints = anyRemembered ? candidates.filter((_, i) => !remembered[i]) : candidates;
  const groups = anyRemembered ? candidateGroups.filter((_, i) => !remembered[i]) : candidateGroups;
  if (groups.length === 0) return { intents: [] };
  const runs = inTimeOrder(groups);
  const firstRun = runs[0] as ErrorRun;
  const first = firstRun.times[firstRun.start] as number;
  const draft = state
    ? draftOf(state, owned)
    : createScope(candidateScopes[remembered.indexOf(false)] as ScopeDescriptor, first);
  draft.recentBatches = rememberBatches(forgetBatches(recent, settled), fingerprints, now, config.dedupe);
  noteRemembered(key, recent, draft.recentBatches, fingerprints);
  const intents: NotificationIntent[] = [];
  ingestRuns(draft, runs, now, config, intents);
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
  const next = shallowCopy(state);
  next.outbox = outbox;
  next.version = state.version + 1;
  if (outbox.length === 0) next.nextDueAt = state.workDueAt;
  return next;
}
