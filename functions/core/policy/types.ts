/**
 * The contract of the policy engine (docs/design.md, "The policy"), shared by the triage and sweep
 * handlers, the local stack and `triage simulate`. Pure data: epoch milliseconds for time, no AWS types.
 */
import type { Severity } from '../catalog';
import type { Subtype } from '../classify';
import type { TriageEvent } from '../event';

/**
 * Every notification the engine can send. Places that must handle each kind take a
 * `Record<NotificationKind, …>` (render.ts, engine.ts), so a new kind does not compile until they do.
 */
export type NotificationKind =
  | 'incident.opened'
  | 'incident.reminder'
  | 'incident.resolved'
  | 'incident.acknowledged'
  | 'account-issue.opened'
  | 'account-issue.updated'
  | 'account-issue.reminder'
  | 'account-issue.resolved'
  | 'account-issue.acknowledged';

/** Which SNS topic a notification goes to. */
export type Topic = 'support' | 'account';

/** The rule that opened an incident. */
export type IncidentRule = 'immediate' | 'persistent';

/** What the engine decided to tell someone. Stable id: the same input always yields the same id. */
export interface NotificationIntent {
  readonly notificationId: string;
  readonly topic: Topic;
  readonly kind: NotificationKind;
  /** When it is (or would have been) sent, ISO-8601. */
  readonly at: string;
  readonly severity: Severity;
  /** The status the notification is about (the most frequent one for a mixed 5xx incident). */
  readonly status: number;
  /** Every status seen in the scope, with counts. */
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly name: string;
  readonly possibleIssue: string;
  readonly resolution: string;
  readonly subtype?: Subtype;
  /** Key of the scope record this came from, and a readable form of the scope. */
  readonly scopeKey: string;
  readonly scope: {
    readonly rule?: IncidentRule;
    readonly model?: string;
    readonly endpoint?: string;
    readonly account?: string;
    readonly status?: number;
  };
  /** Incident or account-issue group id (stable for the whole lifecycle). */
  readonly subjectId: string;
  readonly model?: string;
  readonly account?: string;
  readonly apps: readonly string[];
  /** Errors in the incident / group so far, and since the previous notification. */
  readonly count: number;
  readonly newSinceLast: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Up to 5 sample request ids. */
  readonly sampleRequestIds: readonly string[];
  /** Set when a silence held this notification back until it ended. */
  readonly delayedBySilence?: string;
  /** Who acknowledged it (`*.acknowledged` notices only), and what they said. */
  readonly acknowledgedBy?: string;
  readonly acknowledgeComment?: string;
}

/** An SQS message's worth of canonical events: the unit of idempotency. */
export interface EventBatch {
  /** Stable id of the batch (set by the producer, kept across its retries and SQS redelivery). */
  readonly batchId: string;
  /** When the service received it (epoch ms): the event time of events without `occurredAt`. */
  readonly receivedAt: number;
  readonly events: readonly TriageEvent[];
}

/** The result of applying events to, or sweeping, one scope. */
export interface ScopeUpdate<S> {
  /** The new record, or undefined when nothing changed (then nothing needs writing). */
  readonly state?: S;
  /** Notifications to publish now; also recorded in `state.outbox` until marked published. */
  readonly intents: readonly NotificationIntent[];
}

/** What a rendered notification looks like on SNS. */
export interface RenderedNotification {
  /** ≤ 100 characters, readable. */
  readonly subject: string;
  /** Readable text for e-mail subscribers. */
  readonly text: string;
  /** The JSON body for machines (every field of the intent). */
  readonly json: string;
  /** SNS message attributes for filter policies: kind, severity, status, account, model, app. */
  readonly attributes: Readonly<Record<string, string>>;
}
