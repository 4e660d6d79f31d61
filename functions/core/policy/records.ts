import type { ScopeDescriptor } from './scope-key';
import type { AccountIssueScope, CounterScope, IncidentScope, ScopeState, Subject } from './scope-state';
import { copyCounts, emptyCounts } from './status-counts';

/**
 * Scope records and subjects as the engine builds them: one object literal per kind with every field, in
 * one order, an absent optional field `undefined` (JSON, and so the stored record, leaves it out), and
 * fields are only ever assigned, never added or deleted.
 *
 * Why. Records live for one invocation. An object built by spreading and then adding or deleting keys
 * gets a hidden class ("map") that nothing keeps once its objects are gone, so each full GC frees it, and
 * V8 discards every optimized function that checks for it ("embedded weak objects cleared" in
 * `node --trace-deopt`): the next invocation runs the engine unoptimized until V8 compiles it again. A
 * literal's map is kept by the literal itself. Records read from the table (JSON.parse) are turned into
 * these shapes by `draftOf`, so the engine sees one shape per kind.
 */

/**
 * `subject` as the engine's literal: with `copy`, its lists and counts copied so they can be changed
 * without touching `subject`; without, shared (for an owned draft, see draftOf).
 */
function subjectOf(subject: Subject, copy: boolean): Subject {
  return {
    id: subject.id,
    openedAt: subject.openedAt,
    createdAt: subject.createdAt,
    firstSeen: subject.firstSeen,
    lastSeen: subject.lastSeen,
    count: subject.count,
    statusCounts: copy ? copyCounts(subject.statusCounts) : subject.statusCounts,
    apps: copy ? [...subject.apps] : subject.apps,
    accounts: copy ? [...subject.accounts] : subject.accounts,
    models: copy ? [...subject.models] : subject.models,
    sampleRequestIds: copy ? [...subject.sampleRequestIds] : subject.sampleRequestIds,
    notices: subject.notices,
    announced: subject.announced,
    lastNoticeAt: subject.lastNoticeAt,
    countAtLastNotice: subject.countAtLastNotice,
    heldBy: subject.heldBy,
  };
}

/** A subject opened at event time `openedAt` (processing time `now`), first seen at `firstSeen`. */
export function newSubject(id: string, openedAt: number, firstSeen: number, now: number): Subject {
  return {
    id,
    openedAt,
    createdAt: now,
    firstSeen,
    lastSeen: firstSeen,
    count: 0,
    statusCounts: emptyCounts(),
    apps: [],
    accounts: [],
    models: [],
    sampleRequestIds: [],
    notices: 0,
    announced: false,
    lastNoticeAt: undefined,
    countAtLastNotice: 0,
    heldBy: undefined,
  };
}

// Records written before recentBatches existed carry a list of [fingerprint, time] pairs instead.
const recentOf = (state: ScopeState): string =>
  typeof state.recentBatches === 'string' ? state.recentBatches : '';

/**
 * How a record is copied: `SHARE` shares every part; `COPY` copies every part the lifecycle mutates;
 * `OWN` shares them too, but rebuilds the subject and pending literals (records read from the table come
 * from JSON.parse, whose shapes the engine must not see, see above).
 */
const SHARE = 0;
const COPY = 1;
const OWN = 2;
type Depth = typeof SHARE | typeof COPY | typeof OWN;

function incidentRecord(s: IncidentScope, depth: Depth): IncidentScope {
  const { pending, current } = s;
  const deep = depth === COPY;
  return {
    key: s.key,
    version: s.version,
    nextDueAt: s.nextDueAt,
    workDueAt: s.workDueAt,
    outbox: s.outbox,
    recentBatches: recentOf(s),
    total: s.total,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    kind: 'incident',
    rule: s.rule,
    model: s.model,
    endpoint: s.endpoint,
    statusCounts: deep ? copyCounts(s.statusCounts) : s.statusCounts,
    window: deep ? s.window.map(([t, status, count]) => [t, status, count]) : s.window,
    pending:
      depth !== SHARE && pending
        ? {
            apps: deep ? [...pending.apps] : pending.apps,
            accounts: deep ? [...pending.accounts] : pending.accounts,
            models: deep ? [...pending.models] : pending.models,
            sampleRequestIds: deep ? [...pending.sampleRequestIds] : pending.sampleRequestIds,
          }
        : pending,
    current: currentOf(current, depth),
    resolvedUpTo: s.resolvedUpTo,
  };
}

function currentOf(subject: Subject | undefined, depth: Depth): Subject | undefined {
  return subject === undefined || depth === SHARE ? subject : subjectOf(subject, depth === COPY);
}

function accountIssueRecord(s: AccountIssueScope, depth: Depth): AccountIssueScope {
  const { current } = s;
  return {
    key: s.key,
    version: s.version,
    nextDueAt: s.nextDueAt,
    workDueAt: s.workDueAt,
    outbox: s.outbox,
    recentBatches: recentOf(s),
    total: s.total,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    kind: 'account-issue',
    account: s.account,
    status: s.status,
    subtype: s.subtype,
    current: currentOf(current, depth),
    resolvedUpTo: s.resolvedUpTo,
  };
}

function counterRecord(s: CounterScope, depth: Depth): CounterScope {
  const deep = depth === COPY;
  return {
    key: s.key,
    version: s.version,
    nextDueAt: s.nextDueAt,
    workDueAt: s.workDueAt,
    outbox: s.outbox,
    recentBatches: recentOf(s),
    total: s.total,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    kind: 'counter',
    status: s.status,
    models: deep ? [...s.models] : s.models,
    accounts: deep ? [...s.accounts] : s.accounts,
    apps: deep ? [...s.apps] : s.apps,
    sampleRequestIds: deep ? [...s.sampleRequestIds] : s.sampleRequestIds,
  };
}

function recordOf(state: ScopeState, depth: Depth): ScopeState {
  switch (state.kind) {
    case 'incident':
      return incidentRecord(state, depth);
    case 'account-issue':
      return accountIssueRecord(state, depth);
    case 'counter':
      return counterRecord(state, depth);
  }
}

/**
 * A draft to change: a copy of every part the lifecycle mutates (counts, lists, the window, the subject),
 * sharing what is only ever replaced (the outbox array and its intents, strings). Much cheaper than a
 * structuredClone of the whole record; the state given stays untouched. With `owned` (the caller gives the
 * state up, ApplyOptions.owned) those parts are shared and changed in place, only the subject and pending
 * literals are new. Fields the engine does not know (such as the `appliedBatches` of records from before
 * `recentBatches`) are not carried over.
 */
export function draftOf(state: ScopeState, owned = false): ScopeState {
  return recordOf(state, owned ? OWN : COPY);
}

/** A copy of `state` that shares all its parts: for changing top-level fields only. */
export function shallowCopy(state: ScopeState): ScopeState {
  return recordOf(state, SHARE);
}

/** The record of a scope first seen at event time `t`. */
export function createScope(d: ScopeDescriptor, t: number): ScopeState {
  switch (d.kind) {
    case 'incident':
      return incidentRecord(
        {
          key: d.key,
          version: 0,
          outbox: [],
          recentBatches: '',
          total: 0,
          firstSeen: t,
          lastSeen: t,
          kind: 'incident',
          rule: d.rule,
          model: d.model,
          endpoint: d.endpoint,
          statusCounts: emptyCounts(),
          window: [],
        },
        SHARE,
      );
    case 'account-issue':
      return accountIssueRecord(
        {
          key: d.key,
          version: 0,
          outbox: [],
          recentBatches: '',
          total: 0,
          firstSeen: t,
          lastSeen: t,
          kind: 'account-issue',
          account: d.account,
          status: d.status,
          subtype: d.subtype,
        },
        SHARE,
      );
    case 'counter':
      return counterRecord(
        {
          key: d.key,
          version: 0,
          outbox: [],
          recentBatches: '',
          total: 0,
          firstSeen: t,
          lastSeen: t,
          kind: 'counter',
          status: d.status,
          models: [],
          accounts: [],
          apps: [],
          sampleRequestIds: [],
        },
        SHARE,
      );
  }
}
