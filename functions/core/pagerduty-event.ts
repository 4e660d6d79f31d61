import * as z from 'zod/mini';
import type { Severity } from './catalog';
import { subjectLine } from './policy/render';
import type { NotificationIntent, NotificationKind, Topic } from './policy/types';
import { redactDeep, redactText } from './redact';
import { printable } from './safe-text';

/** Fireworks' documented table of inference error codes: every event links to it. */
export const FIREWORKS_ERROR_CODES_URL = 'https://docs.fireworks.ai/guides/inference-error-codes';

/** What `client` says in PagerDuty: who sent the event. */
const CLIENT = 'fireworks-error-triage';

/** PagerDuty Events API v2 limits: `summary` ≤ 1024 characters, `dedup_key` ≤ 255, an event ≤ 512 KB. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, field: 255, eventBytes: 512 * 1024 } as const;

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** An Events API v2 event without its `routing_key`: the adapter adds the key just before it sends. */
export interface PagerDutyEvent {
  readonly event_action: PagerDutyAction;
  /** The subject id: trigger, acknowledge and resolve of one incident land on one PagerDuty alert. */
  readonly dedup_key: string;
  readonly client: string;
  /** Only a trigger carries a payload and links (PagerDuty reads them only there). */
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
  readonly links?: readonly { readonly href: string; readonly text: string }[];
}

const ACTION: Readonly<Record<NotificationKind, PagerDutyAction>> = {
  'incident.opened': 'trigger',
  'incident.reminder': 'trigger',
  'incident.acknowledged': 'acknowledge',
  'incident.resolved': 'resolve',
  'account-issue.opened': 'trigger',
  'account-issue.updated': 'trigger',
  'account-issue.reminder': 'trigger',
  'account-issue.acknowledged': 'acknowledge',
  'account-issue.resolved': 'resolve',
};

const SEVERITY: Readonly<Record<Severity, PagerDutySeverity>> = {
  critical: 'critical',
  high: 'error',
  warning: 'warning',
  info: 'info',
};

/** Config `pagerDuty` as the forwarder uses it (docs/config.md). */
export interface PagerDutyRouting {
  /** Topics whose notifications are forwarded. */
  readonly topics: readonly Topic[];
  /** Severities that trigger a PagerDuty incident. */
  readonly severities: readonly Severity[];
}

const SEVERITIES = ['critical', 'high', 'warning', 'info'] as const;

export const PagerDutyRoutingSchema = z.strictObject({
  topics: z._default(
    z
      .array(z.enum(['support', 'account'], { error: 'expected "support" or "account"' }))
      .check(z.minLength(1, 'expected at least one topic')),
    ['support'],
  ),
  severities: z._default(
    z
      .array(z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }))
      .check(z.minLength(1, 'expected at least one severity')),
    ['critical', 'high'],
  ),
});

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const field = (value: string) => cut(printable(redactText(value)), PAGERDUTY_LIMITS.field);

/**
 * The Events API v2 event for a notification, or undefined when it is not forwarded: another topic, or a
 * trigger below the configured severities. Acknowledge and resolve are always sent for a forwarded topic
 * (PagerDuty ignores them for a dedup_key it never saw), so an incident opened in PagerDuty always closes.
 */
export function pagerDutyEvent(
  intent: NotificationIntent,
  routing: PagerDutyRouting,
  runbookUrl?: string,
): PagerDutyEvent | undefined {
  if (!routing.topics.includes(intent.topic)) return undefined;
  const action = ACTION[intent.kind];
  const dedupKey = cut(intent.subjectId, PAGERDUTY_LIMITS.dedupKey);
  if (action !== 'trigger') return { event_action: action, dedup_key: dedupKey, client: CLIENT };
  if (!routing.severities.includes(intent.severity)) return undefined;
  const component = intent.model ?? intent.scope.endpoint;
  const details = redactDeep(runbookUrl === undefined ? intent : { ...intent, runbookUrl }) as Record<
    string,
    unknown
  >;
  return {
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: CLIENT,
    payload: {
      summary: cut(printable(redactText(subjectLine(intent))), PAGERDUTY_LIMITS.summary),
      source: field(component ?? (intent.account ? `account ${intent.account}` : 'fireworks-api')),
      severity: SEVERITY[intent.severity],
      timestamp: intent.at,
      ...(component !== undefined ? { component: field(component) } : {}),
      ...(intent.account !== undefined ? { group: field(intent.account) } : {}),
      class: field(`${intent.status} ${intent.name}`),
      custom_details: details,
    },
    links: [
      ...(runbookUrl !== undefined ? [{ href: runbookUrl, text: 'Runbook' }] : []),
      { href: FIREWORKS_ERROR_CODES_URL, text: `Fireworks error codes (${intent.status} ${intent.name})` },
    ],
  };
}

const KINDS = Object.keys(ACTION) as [NotificationKind, ...NotificationKind[]];

/** The fields of a notification (the JSON of every SNS message) the forwarder relies on; the rest pass through. */
const NotificationSchema = z.looseObject({
  notificationId: z.string().check(z.minLength(1)),
  topic: z.enum(['support', 'account']),
  kind: z.enum(KINDS),
  at: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.number(),
  statusCounts: z.record(z.string(), z.number()),
  name: z.string(),
  possibleIssue: z.string(),
  resolution: z.string(),
  scopeKey: z.string(),
  scope: z.looseObject({ model: z.optional(z.string()), endpoint: z.optional(z.string()) }),
  subjectId: z.string().check(z.minLength(1), z.maxLength(PAGERDUTY_LIMITS.dedupKey)),
  model: z.optional(z.string()),
  account: z.optional(z.string()),
  apps: z.array(z.string()),
  count: z.number(),
  newSinceLast: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  sampleRequestIds: z.array(z.string()),
  runbookUrl: z.optional(z.string()),
});

/**
 * A notification as SNS delivers it to a queue (the envelope around the `default` JSON message): the
 * intent and its runbook URL, or a sentence naming what is wrong.
 */
export function parseNotificationMessage(
  body: string,
): { readonly intent: NotificationIntent; readonly runbookUrl?: string } | string {
  let message: unknown;
  try {
    const envelope = JSON.parse(body) as { Type?: unknown; Message?: unknown };
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string')
      return 'not an SNS notification envelope';
    message = JSON.parse(envelope.Message);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = NotificationSchema.safeParse(message);
  if (!parsed.success) {
    return `not a notification: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`;
  }
  const { runbookUrl, ...intent } = parsed.data;
  return {
    intent: intent as unknown as NotificationIntent,
    ...(runbookUrl !== undefined ? { runbookUrl } : {}),
  };
}
