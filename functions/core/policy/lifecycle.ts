import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { buildIntent } from './intent';
import { addToWindow, findPersistentRun, pruneWindow } from './persistence-window';
import {
  type Concerns,
  type CounterScope,
  type IncidentScope,
  LIMITS,
  type ScopeState,
  type Subject,
  type SubjectScope,
} from './scope-state';
import { activeSilence } from './silence';
import { stableHash } from './stable-hash';
import type { NotificationIntent, NotificationKind } from './types';

/**
 * Lifecycles of incidents and account-issue groups (docs/design.md, "Incidents" and "Account issues"): what
 * one error does to a scope, and which transition is due at a given time. Functions here change the draft
 * record they are given.
 */

const SECOND = 1000;

function quietMs(scope: SubjectScope, config: PolicyConfig): number {
  const { resolveAfterQuietSeconds } = scope.kind === 'incident' ? config.incidents : config.accountIssues;
  return resolveAfterQuietSeconds * SECOND;
}

function addDistinct(values: string[], value: string | undefined): void {
  if (value === undefined || values.length >= LIMITS.distinctValues || values.includes(value)) return;
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

/** The app, account, model and request id of `event` added to what the errors concern. */
function addConcerns(concerns: Concerns, event: TriageEvent): void {
  addDistinct(concerns.apps, event.app);
  if (event.environment !== undefined) {
    concerns.environments ??= [];
    addDistinct(concerns.environments, event.environment);
  }
  addDistinct(concerns.accounts, event.account);
  addDistinct(concerns.models, event.model);
  addSample(concerns.sampleRequestIds, event.requestId);
}

/**
 * `addSample` of each request id of `events` in order, in one backward pass: the result is the last
 * distinct ids of the samples followed by the events, so only the last few events are read.
 */
function addSamples(samples: string[], events: readonly TriageEvent[]): void {
  const latest: string[] = [];
  const add = (id: string | undefined) => {
    if (id !== undefined && !latest.includes(id)) latest.push(id);
  };
  for (let i = events.length - 1; i >= 0 && latest.length < LIMITS.sampleRequestIds; i--)
    add(events[i]?.requestId);
  for (let i = samples.length - 1; i >= 0 && latest.length < LIMITS.sampleRequestIds; i--) add(samples[i]);
  samples.splice(0, samples.length, ...latest.reverse());
}

function addToSubject(subject: Subject, event: TriageEvent, t: number, future: boolean): void {
  subject.count += 1;
  subject.statusCounts[event.status] = (subject.statusCounts[event.status] ?? 0) + 1;
  // An event stamped in the future is counted but must not postpone the quiet-period resolve.
  if (!future) {
    subject.firstSeen = Math.min(subject.firstSeen, t);
    subject.lastSeen = Math.max(subject.lastSeen, t);
  }
  addConcerns(subject, event);
}

const ID_PREFIX: Record<SubjectScope['kind'], string> = { incident: 'inc', 'account-issue': 'acct' };

/** A subject opened at event time `openedAt` (processing time `now`), first seen at `firstSeen`. */
function newSubject(scope: SubjectScope, openedAt: number, firstSeen: number, now: number): Subject {
  return {
    // Scope hash + opening event time: unique per lifecycle even if the scope record expired meanwhile.
    id: `${ID_PREFIX[scope.kind]}-${stableHash(scope.key)}-${openedAt.toString(36)}`,
    openedAt,
    createdAt: now,
    firstSeen,
    lastSeen: firstSeen,
    count: 0,
    statusCounts: {},
    apps: [],
    accounts: [],
    models: [],
    sampleRequestIds: [],
    notices: 0,
    announced: false,
    countAtLastNotice: 0,
  };
}

/** Open an incident from the window's entries `first..last` (a run that meets the persistence rule). */
function openFromWindow(scope: IncidentScope, first: number, last: number, now: number): void {
  const entries = scope.window.slice(first);
  const [start] = entries;
  const end = scope.window[last];
  if (!start || !end) return;
  const subject = newSubject(scope, end[0], start[0], now);
  for (const [t, status, count] of entries) {
    subject.count += count;
    subject.statusCounts[status] = (subject.statusCounts[status] ?? 0) + count;
    subject.lastSeen = Math.max(subject.lastSeen, t);
  }
  scope.current = { ...subject, ...scope.pending };
  scope.window = [];
  delete scope.pending;
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
  if (subject.announced) out.push(buildIntent(scope, subject, `${scope.kind}.resolved`, now));
  scope.resolvedUpTo = subject.lastSeen + quietMs(scope, config);
  delete scope.current;
}

/**
 * Count errors (`times[i]` the event time of `events[i]`) into a counter scope: the total, first and last
 * seen, what they concern — nothing that notifies, so no lifecycle.
 */
function countErrors(
  scope: CounterScope,
  events: readonly TriageEvent[],
  times: readonly number[],
  now: number,
  config: PolicyConfig,
): void {
  const futureAfter = now + config.clockSkewSeconds * SECOND;
  events.forEach((event, i) => {
    const t = times[i] as number;
    // An event stamped in the future is counted but does not move first/last seen.
    if (t <= futureAfter) {
      scope.firstSeen = Math.min(scope.firstSeen, t);
      scope.lastSeen = Math.max(scope.lastSeen, t);
    }
    addDistinct(scope.apps, event.app);
    addDistinct(scope.accounts, event.account);
    addDistinct(scope.models, event.model);
  });
  addSamples(scope.sampleRequestIds, events);
  scope.total += events.length;
}

/**
 * Count errors, in event-time order (`times[i]` for `events[i]`: `occurredAt`, else the batch's receive
 * time), into their scope: each may resolve the current subject (a quiet gap in event time) or open one.
 */
export function ingestAll(
  scope: ScopeState,
  events: readonly TriageEvent[],
  times: readonly number[],
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): void {
  if (scope.kind === 'counter') {
    countErrors(scope, events, times, now, config);
    return;
  }
  events.forEach((event, i) => {
    ingest(scope, event, times[i] as number, now, config, out);
  });
}

/** Count one error at event time `t` into an incident or account-issue scope. */
function ingest(
  scope: SubjectScope,
  event: TriageEvent,
  t: number,
  now: number,
  config: PolicyConfig,
  out: NotificationIntent[],
): void {
  const future = t > now + config.clockSkewSeconds * SECOND;
  scope.total += 1;
  if (!future) {
    scope.firstSeen = Math.min(scope.firstSeen, t);
    scope.lastSeen = Math.max(scope.lastSeen, t);
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
    if (scope.kind === 'account-issue') addApiKey(scope.current, event);
    return;
  }
  // Future-stamped errors, and late ones from before the last resolve, are counted but open nothing.
  if (future || (scope.resolvedUpTo !== undefined && t <= scope.resolvedUpTo)) return;
  if (scope.kind === 'account-issue') {
    if (t < now - quietMs(scope, config)) return;
    scope.current = newSubject(scope, t, t, now);
    addToSubject(scope.current, event, t, false);
    addApiKey(scope.current, event);
    return;
  }
  const { persistence } = config.incidents;
  if (scope.rule === 'immediate') {
    // Errors older than the persistence window are counted but open nothing.
    if (t < now - persistence.windowSeconds * SECOND) return;
    scope.current = newSubject(scope, t, t, now);
    addToSubject(scope.current, event, t, false);
    return;
  }
  // The persistence rule (persistence-window.ts): the error waits in the window until a run of them meets it.
  if (scope.window.length === 0) scope.pending = { apps: [], accounts: [], models: [], sampleRequestIds: [] };
  addToWindow(scope.window, t, event.status);
  if (scope.pending) addConcerns(scope.pending, event);
  pruneWindow(scope.window, now, persistence);
  const run = findPersistentRun(scope.window, now, persistence);
  if (run) openFromWindow(scope, run.first, run.last, now);
}

function addApiKey(subject: Subject, event: TriageEvent): void {
  if (event.apiKeyId === undefined) return;
  subject.apiKeyIds ??= [];
  addDistinct(subject.apiKeyIds, event.apiKeyId);
}

/**
 * Whether an account issue changed enough since its last notice to be worth an update: its count grew at
 * least `updateGrowthFactor` times, or a new app or API key fingerprint appeared. A steady trickle of the
 * same failures is not news; the daily reminder says it goes on.
 */
function materialChange(subject: Subject, growthFactor: number): boolean {
  const grew =
    subject.count > subject.countAtLastNotice && subject.count >= subject.countAtLastNotice * growthFactor;
  const keys = subject.apiKeyIds?.length ?? 0;
  return (
    grew ||
    subject.apps.length > (subject.appsAtLastNotice ?? subject.apps.length) ||
    keys > (subject.apiKeyIdsAtLastNotice ?? keys)
  );
}

/** The notification owed by the current subject at `now`, if any (ignoring silences). */
function owedNotice(
  scope: SubjectScope,
  subject: Subject,
  now: number,
  config: PolicyConfig,
): NotificationKind | undefined {
  const last = subject.lastNoticeAt ?? 0;
  // An acknowledged subject gets no more reminders (an account issue's updates still go out).
  const acknowledged = subject.acknowledgedBy !== undefined;
  if (scope.kind === 'incident') {
    if (!subject.announced) return 'incident.opened';
    if (acknowledged) return undefined;
    return now >= last + config.incidents.reminderIntervalSeconds * SECOND ? 'incident.reminder' : undefined;
  }
  const a = config.accountIssues;
  if (!subject.announced) {
    return now >= subject.createdAt + a.groupWaitSeconds * SECOND ? 'account-issue.opened' : undefined;
  }
  if (materialChange(subject, a.updateGrowthFactor) && now >= last + a.updateIntervalSeconds * SECOND) {
    return 'account-issue.updated';
  }
  if (acknowledged) return undefined;
  return now >= last + a.reminderIntervalSeconds * SECOND ? 'account-issue.reminder' : undefined;
}

function silenceFacts(scope: SubjectScope, subject: Subject) {
  return {
    statuses: Object.keys(subject.statusCounts).map(Number),
    models: scope.kind === 'incident' && scope.model !== undefined ? [scope.model] : subject.models,
    accounts: scope.kind === 'account-issue' ? [scope.account] : subject.accounts,
    apps: subject.apps,
    environments: subject.environments ?? [],
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
  const kind = owedNotice(scope, subject, now, config);
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
  if (scope.kind === 'account-issue') {
    subject.appsAtLastNotice = subject.apps.length;
    subject.apiKeyIdsAtLastNotice = subject.apiKeyIds?.length ?? 0;
  }
  delete subject.heldBy;
  return true;
}

/** When the next time-based transition of this scope is due (undefined: only new errors can change it). */
export function workDueAt(scope: ScopeState, config: PolicyConfig): number | undefined {
  if (scope.kind === 'counter' || !scope.current) return undefined;
  const subject = scope.current;
  const last = subject.lastNoticeAt ?? 0;
  const due = [subject.lastSeen + quietMs(scope, config)];
  if (subject.heldBy !== undefined) {
    // A silence removed from the config meanwhile: look again at once.
    due.push(config.silences.find((s) => s.id === subject.heldBy)?.endsAt ?? 0);
  } else if (scope.kind === 'incident') {
    if (subject.announced && subject.acknowledgedBy === undefined) {
      due.push(last + config.incidents.reminderIntervalSeconds * SECOND);
    }
  } else {
    const a = config.accountIssues;
    if (!subject.announced) due.push(subject.createdAt + a.groupWaitSeconds * SECOND);
    else {
      if (subject.acknowledgedBy === undefined) due.push(last + a.reminderIntervalSeconds * SECOND);
      if (materialChange(subject, a.updateGrowthFactor)) due.push(last + a.updateIntervalSeconds * SECOND);
    }
  }
  return Math.min(...due);
}
