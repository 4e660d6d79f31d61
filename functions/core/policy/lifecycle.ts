import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { type ErrorRun, errorRunOf } from './error-run';
import { buildIntent } from './intent';
import { addToWindow, findPersistentRun, pruneWindow } from './persistence-window';
import { newSubject } from './records';
import { UNKNOWN_ACCOUNT } from './scope-key';
import {
  type AccountIssueScope,
  type CounterScope,
  type IncidentScope,
  LIMITS,
  type ScopeState,
  type Subject,
  type WindowEntry,
} from './scope-state';
import { activeSilence } from './silence';
import { stableHash } from './stable-hash';
import type { NotificationIntent, NotificationKind } from './types';

/**
 * Lifecycles of incidents and account-issue groups (DESIGN §5): what one error does to a scope, and which
 * transition is due at a given time. Functions here mutate the draft record they are given.
 */

type SubjectScope = IncidentScope | AccountIssueScope;

const SECOND = 1000;

function quietMs(scope: SubjectScope, config: PolicyConfig): number {
  return (
    (scope.kind === 'incident'
      ? config.incidents.resolveAfterQuietSeconds
      : config.accountIssues.resolveAfterQuietSeconds) * SECOND
  );
}

function addDistinct(values: string[], value: string | undefined, max: number = LIMITS.distinctValues): void {
  if (value === undefined || values.length >= max || values.includes(value)) return;
  values.push(value);
}

/**
 * Keep the most recent sample ids (least recently seen first): the freshest are the ones support can still
 * look up. An id seen again moves to the end, so the list is always the last distinct ids seen.
 */
function addSample(samples: string[], requestId: string | undefined): void {
  if (requestId === undefined) return;
  const at = samples.indexOf(requestId);
  if (at !== -1) samples.splice(at, 1);
  samples.push(requestId);
  if (samples.length > LIMITS.sampleRequestIds) samples.shift();
}

function addToSubject(subject: Subject, event: TriageEvent, t: number, future: boolean): void {
  subject.count += 1;
  subject.statusCounts[event.status] = (subject.statusCounts[event.status] ?? 0) + 1;
  // An event stamped in the future is counted but must not postpone the quiet-period resolve.
  if (!future) {
    subject.firstSeen = Math.min(subject.firstSeen, t);
    subject.lastSeen = Math.max(subject.lastSeen, t);
  }
  addDistinct(subject.apps, event.app);
  addDistinct(subject.accounts, event.account);
  addDistinct(subject.models, event.model);
  addSample(subject.sampleRequestIds, event.requestId);
}

function openSubject(scope: SubjectScope, openedAt: number, firstSeen: number, now: number): Subject {
  const prefix = scope.kind === 'incident' ? 'inc' : 'acct';
  // Scope hash + opening event time: unique per lifecycle even if the scope record expired meanwhile.
  return newSubject(`${prefix}-${stableHash(scope.key)}-${openedAt.toString(36)}`, openedAt, firstSeen, now);
}

function openFromWindow(scope: IncidentScope, first: number, last: number, now: number): void {
  const entries = scope.window.slice(first);
  const start = entries[0] as WindowEntry;
  const subject = openSubject(scope, (scope.window[last] as WindowEntry)[0], start[0], now);
  for (const [t, status, count] of entries) {
    subject.count += count;
    subject.statusCounts[status] = (subject.statusCounts[status] ?? 0) + count;
    subject.lastSeen = Math.max(subject.lastSeen, t);
  }
  if (scope.pending) {
    subject.apps = scope.pending.apps;
    subject.accounts = scope.pending.accounts;
    subject.models = scope.pending.models;
    subject.sampleRequestIds = scope.pending.sampleRequestIds;
  }
  scope.current = subject;
  scope.window = [];
  scope.pending = undefined;
}

function resolveCurrent(
  scope: SubjectScope,
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): void {
  const subject = scope.current;
  if (!subject) return;
  // Resolved notices are never held by a silence: once an incident was announced, its subscribers must see
  // it closed. One that was never announced (silenced throughout) ends without a word.
  if (subject.announced) {
    const kind = scope.kind === 'incident' ? 'incident.resolved' : 'account-issue.resolved';
    out.push(buildIntent(scope, subject, kind, now));
  }
  scope.resolvedUpTo = subject.lastSeen + quietMs(scope, config);
  scope.current = undefined;
}

// Scratch list of addRunSamples: its first `n` entries are the call's (a fixed store, never reallocated).
const latest: string[] = new Array<string>(LIMITS.sampleRequestIds).fill('');

/** Whether `id` is among the first `n` entries of `latest`. */
function inLatest(id: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (latest[i] === id) return true;
  return false;
}

/**
 * `addSample` of every event of `runs` in order: the result is the last distinct ids of the samples
 * followed by the runs' events, so only the last few events are read. The list is written over in place
 * (emptying it first would drop its store, and refilling it allocate another).
 */
function addRunSamples(samples: string[], runs: readonly ErrorRun[]): void {
  const max = LIMITS.sampleRequestIds;
  let n = 0;
  for (let r = runs.length - 1; r >= 0 && n < max; r--) {
    const { events, start, end } = runs[r] as ErrorRun;
    for (let i = end - 1; i >= start && n < max; i--) {
      const id = (events[i] as TriageEvent).requestId;
      if (id !== undefined && !inLatest(id, n)) latest[n++] = id;
    }
  }
  for (let i = samples.length - 1; i >= 0 && n < max; i--) {
    const id = samples[i] as string;
    if (!inLatest(id, n)) latest[n++] = id;
  }
  for (let i = 0; i < n; i++) samples[i] = latest[n - 1 - i] as string;
  samples.length = n;
}

/**
 * Whether `list` can take none of `values`: it is full, or holds each of them. Then `addDistinct` of any
 * of them leaves it as it is.
 */
function takesNoneOf(list: readonly string[], values: readonly string[], max: number): boolean {
  if (list.length >= max) return true;
  for (const value of values) if (!list.includes(value)) return false;
  return true;
}

/**
 * `addDistinct` of each event's app, account and model, in event order, while a list has room; with the
 * errors per status counted into `counts` (and `also`) when given. `oneModel` / `oneAccount`: every
 * event of `runs` carries the same model / account (as the scope key says), so it is added once. A list
 * that can take none of the values of a run's batch (`ErrorRun.values`) is not offered the run's events:
 * in steady traffic a scope's lists already hold them all, and only the status counts read every event.
 */
function addRunFacts(
  runs: readonly ErrorRun[],
  apps: string[],
  accounts: string[],
  models: string[],
  counts?: Record<string, number>,
  also?: Record<string, number>,
  oneModel = false,
  oneAccount = false,
): void {
  const max = LIMITS.distinctValues;
  const firstRun = runs[0];
  if (firstRun && firstRun.start < firstRun.end) {
    const first = firstRun.events[firstRun.start] as TriageEvent;
    if (oneModel) addDistinct(models, first.model);
    if (oneAccount) addDistinct(accounts, first.account);
  }
  for (const { events, start, end, values } of runs) {
    if (counts) countStatuses(events, start, end, counts, also);
    const withApps = values === undefined || !takesNoneOf(apps, values.apps, max);
    const withAccounts =
      !oneAccount && (values === undefined || !takesNoneOf(accounts, values.accounts, max));
    const withModels = !oneModel && (values === undefined || !takesNoneOf(models, values.models, max));
    if (!withApps && !withAccounts && !withModels) continue;
    for (let i = start; i < end; i++) {
      if (apps.length >= max && accounts.length >= max && models.length >= max) break;
      const event = events[i] as TriageEvent;
      if (withApps) addDistinct(apps, event.app);
      if (withAccounts) addDistinct(accounts, event.account);
      if (withModels) addDistinct(models, event.model);
    }
  }
}

/** Errors per status of `events[start..end)` counted into `counts` (and `also`). */
function countStatuses(
  events: readonly TriageEvent[],
  start: number,
  end: number,
  counts: Record<string, number>,
  also: Record<string, number> | undefined,
): void {
  // The first status is tallied locally: most runs have one status.
  const first = (events[start] as TriageEvent).status;
  let same = 0;
  for (let i = start; i < end; i++) {
    const { status } = events[i] as TriageEvent;
    if (status === first) same++;
    else {
      counts[status] = (counts[status] ?? 0) + 1;
      if (also) also[status] = (also[status] ?? 0) + 1;
    }
  }
  counts[first] = (counts[first] ?? 0) + same;
  if (also) also[first] = (also[first] ?? 0) + same;
}

function errorsIn(runs: readonly ErrorRun[]): number {
  let count = 0;
  for (const run of runs) count += run.end - run.start;
  return count;
}

/**
 * Count errors of runs in event-time order into a counter scope: the total, first and last seen (the runs'
 * ends unless some are from the future, which count but move neither), what they concern and sample ids —
 * nothing that notifies, so no per-event lifecycle.
 */
function countRuns(scope: CounterScope, runs: readonly ErrorRun[], now: number, config: PolicyConfig): void {
  const futureAfter = now + config.clockSkewSeconds * SECOND;
  const firstRun = runs[0] as ErrorRun;
  const lastRun = runs[runs.length - 1] as ErrorRun;
  const first = firstRun.times[firstRun.start] as number;
  const last = lastRun.times[lastRun.end - 1] as number;
  if (last <= futureAfter) {
    if (first < scope.firstSeen) scope.firstSeen = first;
    if (last > scope.lastSeen) scope.lastSeen = last;
  } else {
    for (const { times, start, end } of runs) {
      for (let i = start; i < end; i++) {
        const t = times[i] as number;
        if (t <= futureAfter) {
          if (t < scope.firstSeen) scope.firstSeen = t;
          if (t > scope.lastSeen) scope.lastSeen = t;
        }
      }
    }
  }
  addRunFacts(runs, scope.apps, scope.accounts, scope.models);
  scope.total += errorsIn(runs);
  addRunSamples(scope.sampleRequestIds, runs);
}

/**
 * Whether no error of `runs` (one sequence in event-time order) can resolve `subject`: each error's "last
 * seen" is max(subject.lastSeen, the previous error's time), and none is a quiet period after it.
 */
function noQuietGap(subject: Subject, runs: readonly ErrorRun[], quiet: number): boolean {
  let previous = subject.lastSeen;
  for (const { times, start, end } of runs) {
    for (let i = start; i < end; i++) {
      const t = times[i] as number;
      if (t >= previous + quiet) return false;
      if (t > previous) previous = t;
    }
  }
  return true;
}

/**
 * Apply runs that follow each other in event time to a scope: what `ingest` of each of their events in
 * turn does. When the scope has a current subject, no error is from the future and none comes a quiet
 * period after the subject's last seen, every error just adds to the scope and the subject: no transition
 * can happen among them, so they are added as a whole. Otherwise (opening, resolving, future errors) each
 * error goes through `ingest`, in order.
 */
export function ingestRuns(
  scope: ScopeState,
  runs: readonly ErrorRun[],
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): void {
  if (scope.kind === 'counter') {
    countRuns(scope, runs, now, config);
    return;
  }
  const current = scope.current;
  const firstRun = runs[0] as ErrorRun;
  const lastRun = runs[runs.length - 1] as ErrorRun;
  const first = firstRun.times[firstRun.start] as number;
  const last = lastRun.times[lastRun.end - 1] as number;
  const quiet = quietMs(scope, config);
  // The runs are in time order, so `last` is their latest time: below the subject's last seen + the quiet
  // period, no error can be a quiet period after the one before it (noQuietGap's answer, without the pass).
  if (
    current &&
    last <= now + config.clockSkewSeconds * SECOND &&
    (last < current.lastSeen + quiet || noQuietGap(current, runs, quiet))
  ) {
    const count = errorsIn(runs);
    scope.total += count;
    if (first < scope.firstSeen) scope.firstSeen = first;
    if (last > scope.lastSeen) scope.lastSeen = last;
    current.count += count;
    current.firstSeen = Math.min(current.firstSeen, first);
    current.lastSeen = Math.max(current.lastSeen, last);
    addRunFacts(
      runs,
      current.apps,
      current.accounts,
      current.models,
      current.statusCounts,
      scope.kind === 'incident' ? scope.statusCounts : undefined,
      // An incident's scope is one model (or none: no event of it has one); an account issue's one
      // account, unless it is the events without one.
      scope.kind === 'incident',
      scope.kind === 'account-issue' && scope.account !== UNKNOWN_ACCOUNT,
    );
    addRunSamples(current.sampleRequestIds, runs);
    return;
  }
  for (const { events, times, start, end } of runs) {
    for (let i = start; i < end; i++) {
      ingest(scope, events[i] as TriageEvent, times[i] as number, now, config, out);
    }
  }
}

/**
 * Count one error, at event time `t` (epoch ms: `occurredAt`, else the batch's receive time), into its
 * scope; may resolve the current subject (event-time gap) or open a new one.
 */
export function ingest(
  scope: ScopeState,
  event: TriageEvent,
  t: number,
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): void {
  if (scope.kind === 'counter') {
    countRuns(scope, [errorRunOf([event], [t])], now, config);
    return;
  }
  const future = t > now + config.clockSkewSeconds * SECOND;
  scope.total += 1;
  if (!future) {
    if (t < scope.firstSeen) scope.firstSeen = t;
    if (t > scope.lastSeen) scope.lastSeen = t;
  }
  if (scope.kind === 'incident') {
    scope.statusCounts[event.status] = (scope.statusCounts[event.status] ?? 0) + 1;
  }
  const current = scope.current;
  if (current && !future && t >= current.lastSeen + quietMs(scope, config)) {
    resolveCurrent(scope, now, config, out);
  }
  if (scope.current) {
    addToSubject(scope.current, event, t, future);
    return;
  }
  // Future-stamped errors, and late ones from before the last resolve, are counted but open nothing.
  if (future || (scope.resolvedUpTo !== undefined && t <= scope.resolvedUpTo)) return;
  if (scope.kind === 'account-issue') {
    if (t < now - quietMs(scope, config)) return;
    scope.current = openSubject(scope, t, t, now);
    addToSubject(scope.current, event, t, false);
    return;
  }
  const windowMs = config.incidents.persistence.windowSeconds * SECOND;
  const stale = t < now - windowMs;
  if (scope.rule === 'immediate') {
    if (stale) return;
    scope.current = openSubject(scope, t, t, now);
    addToSubject(scope.current, event, t, false);
    return;
  }
  if (scope.window.length === 0) scope.pending = { apps: [], accounts: [], models: [], sampleRequestIds: [] };
  addToWindow(scope.window, t, event.status);
  if (scope.pending) {
    addDistinct(scope.pending.apps, event.app);
    addDistinct(scope.pending.accounts, event.account);
    addDistinct(scope.pending.models, event.model);
    addSample(scope.pending.sampleRequestIds, event.requestId);
  }
  pruneWindow(scope.window, now, config.incidents.persistence);
  const run = findPersistentRun(scope.window, now, config.incidents.persistence);
  if (run) openFromWindow(scope, run.first, run.last, now);
}

/** The notification owed by the current subject at `now`, if any (ignoring silences). */
function owedNotice(scope: SubjectScope, subject: Subject, now: number, config: PolicyConfig) {
  if (scope.kind === 'incident') {
    if (!subject.announced) return 'incident.opened';
    const reminderAt = (subject.lastNoticeAt ?? 0) + config.incidents.reminderIntervalSeconds * SECOND;
    return now >= reminderAt ? 'incident.reminder' : undefined;
  }
  const a = config.accountIssues;
  if (!subject.announced) {
    return now >= subject.createdAt + a.groupWaitSeconds * SECOND ? 'account-issue.opened' : undefined;
  }
  const last = subject.lastNoticeAt ?? 0;
  if (subject.count > subject.countAtLastNotice && now >= last + a.updateIntervalSeconds * SECOND) {
    return 'account-issue.updated';
  }
  return now >= last + a.reminderIntervalSeconds * SECOND ? 'account-issue.reminder' : undefined;
}

function silenceFacts(scope: SubjectScope, subject: Subject) {
  return {
    statuses: Object.keys(subject.statusCounts).map(Number),
    models: scope.kind === 'incident' && scope.model !== undefined ? [scope.model] : subject.models,
    accounts: scope.kind === 'account-issue' ? [scope.account] : subject.accounts,
    apps: subject.apps,
  };
}

/**
 * Time-based transitions at `now`: quiet resolve, opening notice, updates, reminders, silences ending.
 * Returns whether it changed the scope (the sweep writes nothing when it did not).
 */
export function evaluate(
  scope: ScopeState,
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): boolean {
  if (scope.kind === 'counter') return false;
  const subject = scope.current;
  if (!subject) return false;
  if (now >= subject.lastSeen + quietMs(scope, config)) {
    resolveCurrent(scope, now, config, out);
    return true;
  }
  const kind: NotificationKind | undefined = owedNotice(scope, subject, now, config);
  if (!kind) return false;
  const silence = activeSilence(silenceFacts(scope, subject), now, config);
  if (silence) {
    if (subject.heldBy === silence.id) return false;
    subject.heldBy = silence.id;
    return true;
  }
  out.push(buildIntent(scope, subject, kind, now, subject.heldBy));
  subject.notices += 1;
  subject.announced = true;
  subject.lastNoticeAt = now;
  subject.countAtLastNotice = subject.count;
  subject.heldBy = undefined;
  return true;
}

/** When the next time-based transition of this scope is due (undefined: only new errors can change it). */
export function workDueAt(scope: ScopeState, config: PolicyConfig): number | undefined {
  if (scope.kind === 'counter' || !scope.current) return undefined;
  const subject = scope.current;
  let due = subject.lastSeen + quietMs(scope, config);
  if (subject.heldBy !== undefined) {
    // A silence removed from the config meanwhile: look again at once.
    due = Math.min(due, config.silences.find((s) => s.id === subject.heldBy)?.endsAt ?? 0);
  } else if (scope.kind === 'incident') {
    if (subject.announced) {
      due = Math.min(due, (subject.lastNoticeAt ?? 0) + config.incidents.reminderIntervalSeconds * SECOND);
    }
  } else {
    const a = config.accountIssues;
    const last = subject.lastNoticeAt ?? 0;
    if (!subject.announced) due = Math.min(due, subject.createdAt + a.groupWaitSeconds * SECOND);
    else {
      due = Math.min(due, last + a.reminderIntervalSeconds * SECOND);
      if (subject.count > subject.countAtLastNotice)
        due = Math.min(due, last + a.updateIntervalSeconds * SECOND);
    }
  }
  return due;
}
