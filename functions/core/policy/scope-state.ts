import type { IncidentRule, NotificationIntent } from './types';

/**
 * The one record per scope (docs/design.md, "State records"): plain JSON, bounded in size whatever the
 * traffic, written with a single conditional write on `version`. Times are epoch milliseconds: event time
 * for `*Seen`/`openedAt`, processing time (`now`) for notices, due times and applied batches.
 */

/** Bounds that keep a record small during a storm. */
export const LIMITS = {
  sampleRequestIds: 5,
  /** Distinct apps / accounts / models remembered per incident or group. */
  distinctValues: 20,
  /** Entries of the persistence window (one per second and status at most). */
  windowEntries: 1000,
  /** Unpublished notifications kept when publishing keeps failing (superseded ones are dropped first). */
  outbox: 50,
} as const;

/** What the errors of an incident, an account-issue group or a counter concern. */
export interface Concerns {
  apps: string[];
  /** Distinct environments of its errors, when they name one (silences match on them). */
  environments?: string[];
  accounts: string[];
  models: string[];
  sampleRequestIds: string[];
}

/** An incident or an account-issue group: one lifecycle, opened → (reminders/updates) → resolved. */
export interface Subject extends Concerns {
  /** Stable for the whole lifecycle; notification ids derive from it. */
  id: string;
  /** Event time of the error that opened it. */
  openedAt: number;
  /** Processing time it was opened at (the account group wait counts from here). */
  createdAt: number;
  firstSeen: number;
  lastSeen: number;
  count: number;
  statusCounts: Record<string, number>;
  /** Notifications issued for it so far. */
  notices: number;
  /** True once the opening notification went out (a silence or the group wait can hold it back). */
  announced: boolean;
  lastNoticeAt?: number;
  countAtLastNotice: number;
  /** Id of the silence holding back a notification that is owed; it goes out when the silence ends. */
  heldBy?: string;
  /** API key fingerprints of its errors (account issues only; at most LIMITS.distinctValues). */
  apiKeyIds?: string[];
  /** How many apps and API keys it concerned at the last notice (account issues: what an update must add to). */
  appsAtLastNotice?: number;
  apiKeyIdsAtLastNotice?: number;
  /** Who acknowledged it: no more reminders until it resolves. */
  acknowledgedBy?: string;
  /** Processing time of the acknowledgement. */
  acknowledgedAt?: number;
}

/** `[eventTimeMs, status, count]`: errors of one status within one second, for the persistence rule. */
export type WindowEntry = [number, number, number];

interface ScopeBase {
  key: string;
  version: number;
  /** When the sweep must look at this scope next; undefined when nothing is due. */
  nextDueAt?: number;
  /** Next time-based transition, regardless of the outbox (nextDueAt when the outbox is empty). */
  workDueAt?: number;
  outbox: NotificationIntent[];
  /** Batches applied recently, for idempotency: one compact string (see recent-batches.ts). */
  recentBatches: string;
  /** Every error counted in this scope since the record was created. */
  total: number;
  firstSeen: number;
  lastSeen: number;
}

export interface IncidentScope extends ScopeBase {
  kind: 'incident';
  rule: IncidentRule;
  model?: string;
  endpoint?: string;
  /** `lora-load-failed`: 412s whose message says a LoRA failed to load (a deployment problem for support). */
  subtype?: 'lora-load-failed';
  statusCounts: Record<string, number>;
  /** Recent errors not (yet) part of an incident, for the persistence rule; empty while one is open. */
  window: WindowEntry[];
  /** What the errors in `window` concern, carried into the incident when it opens. */
  pending?: Concerns;
  current?: Subject;
  /** Event time up to which the scope was quiet-resolved: older errors never open a new incident. */
  resolvedUpTo?: number;
}

/** The 412 readings that make separate account-issue groups (see classify's subtypeOf). */
export type AccountIssueSubtype = 'account-status' | 'lora-load-failed';

export interface AccountIssueScope extends ScopeBase {
  kind: 'account-issue';
  account: string;
  status: number;
  subtype?: AccountIssueSubtype;
  current?: Subject;
  resolvedUpTo?: number;
}

/**
 * Errors that notify no one (docs/design.md, "Scopes"), one record per status: the total and a bounded
 * view of what they concern (the first distinct values seen, the last sample ids). The per-(status, model,
 * account, app) breakdown is in the triage log.
 */
export interface CounterScope extends ScopeBase, Concerns {
  kind: 'counter';
  status: number;
}

export type ScopeState = IncidentScope | AccountIssueScope | CounterScope;
export type ScopeKind = ScopeState['kind'];
/** The scopes whose errors open a lifecycle and notify someone. */
export type SubjectScope = IncidentScope | AccountIssueScope;
