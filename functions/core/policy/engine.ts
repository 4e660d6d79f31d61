import type { TriageEvent } from '../event';
import { splitBatch } from './batch-split';
import type { PolicyConfig } from './config';
import { type ErrorRun, errorRunOf, isSorted } from './error-run';
import { evaluate, ingestRuns, workDueAt } from './lifecycle';
import { forgetBatches, rememberBatches } from './recent-batches';
import { noteRemembered, rememberedBy } from './recent-batches-filter';
import type { ScopeDescriptor } from './scope-key';
import { LIMITS, type ScopeState, type Subject } from './scope-state';
import { copyCounts, emptyCounts } from './status-counts';
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

function createScope(d: ScopeDescriptor, t: number): ScopeState {
  const base = {
    key: d.key,
    version: 0,
    outbox: [],
    recentBatches: '',
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
        statusCounts: emptyCounts(),
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
        models: [],
        accounts: [],
        apps: [],
        sampleRequestIds: [],
      };
  }
}

function copySubject(subject: Subject): Subject {
  return {
    ...subject,
    statusCounts: copyCounts(subject.statusCounts),
    apps: [...subject.apps],
    accounts: [...subject.accounts],
    models: [...subject.models],
    sampleRequestIds: [...subject.sampleRequestIds],
  };
}

/**
 * A draft to change: a copy of every part the lifecycle mutates (counts, sets, the window, the subject),
 * sharing what is only ever replaced (the outbox array and its intents, strings). Much cheaper than a
 * structuredClone of the whole record; the state given stays untouched.
 */
function draftOf(state: ScopeState): ScopeState {
  const draft = { ...state };
  // Records written before recentBatches existed carry a list of [fingerprint, time] pairs instead.
  if (typeof draft.recentBatches !== 'string') draft.recentBatches = '';
  delete (draft as { appliedBatches?: unknown }).appliedBatches;
  switch (draft.kind) {
    case 'incident':
      draft.statusCounts = copyCounts(draft.statusCounts);
      draft.window = draft.window.map(([t, status, count]) => [t, status, count]);
      if (draft.pending) {
        draft.pending = {
          apps: [...draft.pending.apps],
          accounts: [...draft.pending.accounts],
          models: [...draft.pending.models],
          sampleRequestIds: [...draft.pending.sampleRequestIds],
        };
      }
      if (draft.current) draft.current = copySubject(draft.current);
      break;
    case 'account-issue':
      if (draft.current) draft.current = copySubject(draft.current);
      break;
    case 'counter':
      draft.models = [...draft.models];
      draft.accounts = [...draft.accounts];
      draft.apps = [...draft.apps];
      draft.sampleRequestIds = [...draft.sampleRequestIds];
      break;
  }
  return draft;
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
  const { settled } = options;
  const candidates: string[] = [];
  const candidateGroups: ErrorRun[] = [];
  const candidateScopes: ScopeDescriptor[] = [];
  for (const batch of batches) {
    const { fingerprint, keys, runs, descriptors } = splitBatch(batch, config);
    const g = keys.indexOf(key);
    if (g === -1 || candidates.includes(fingerprint) || settled?.has(fingerprint)) continue;
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
    ? draftOf(state)
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
  const next: ScopeState = { ...state, outbox, version: state.version + 1 };
  if (outbox.length === 0) {
    if (state.workDueAt === undefined) delete next.nextDueAt;
    else next.nextDueAt = state.workDueAt;
  }
  return next;
}
