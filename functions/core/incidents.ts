import * as z from 'zod/mini';
import { type FieldError, ValidationError } from './errors';
import { issuesToFieldErrors } from './normalize';
import { buildIntent } from './policy/intent';
import type { SubjectScope } from './policy/scope-state';
import type { NotificationIntent } from './policy/types';

/**
 * What the read API shows of an incident or an account issue (docs/design.md, "Read API"): open ones are
 * read from their scope records, resolved ones from the history written when their resolve was decided.
 */
export type IncidentKind = 'incident' | 'account-issue';
export type IncidentState = 'open' | 'resolved';

export interface IncidentView {
  readonly subjectId: string;
  readonly kind: IncidentKind;
  /** The status it is about (the most frequent one for a mixed 5xx incident). */
  readonly status: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly model?: string;
  readonly account?: string;
  readonly state: IncidentState;
  /** ISO-8601: the time of its first error. */
  readonly openedAt: string;
  /** ISO-8601: the time of its last error. */
  readonly lastSeen: string;
  readonly count: number;
  /** Who acknowledged it (open incidents only): no reminders until it resolves. */
  readonly acknowledgedBy?: string;
  /** The silence holding back a notice that is owed (open incidents only). */
  readonly silencedBy?: string;
}

const KIND_BY_TOPIC: Readonly<Record<NotificationIntent['topic'], IncidentKind>> = {
  support: 'incident',
  account: 'account-issue',
};

function viewOf(
  intent: NotificationIntent,
  state: IncidentState,
  open: { readonly acknowledgedBy?: string; readonly heldBy?: string } = {},
): IncidentView {
  return {
    subjectId: intent.subjectId,
    kind: KIND_BY_TOPIC[intent.topic],
    status: intent.status,
    statusCounts: intent.statusCounts,
    ...(intent.model !== undefined ? { model: intent.model } : {}),
    ...(intent.account !== undefined ? { account: intent.account } : {}),
    state,
    openedAt: intent.firstSeen,
    lastSeen: intent.lastSeen,
    count: intent.count,
    ...(open.acknowledgedBy !== undefined ? { acknowledgedBy: open.acknowledgedBy } : {}),
    ...(open.heldBy !== undefined ? { silencedBy: open.heldBy } : {}),
  };
}

/** The open incident or account issue of a scope record, if it has one. */
export function openIncidentView(scope: SubjectScope): IncidentView | undefined {
  const subject = scope.current;
  if (!subject) return undefined;
  // The same reading of the record (status, model, account) as its notifications.
  const kind = scope.kind === 'incident' ? 'incident.opened' : 'account-issue.opened';
  return viewOf(buildIntent(scope, subject, kind, subject.lastSeen), 'open', subject);
}

/** The resolved incident or account issue a `*.resolved` notification closes; undefined for other kinds. */
export function resolvedIncidentView(intent: NotificationIntent): IncidentView | undefined {
  if (intent.kind !== 'incident.resolved' && intent.kind !== 'account-issue.resolved') return undefined;
  return viewOf(intent, 'resolved');
}

/** Newest first: by last error, then subject id, as one string (also the page cursor). */
export function incidentSortKey(view: IncidentView): string {
  return `${view.lastSeen}#${view.subjectId}`;
}

export interface IncidentQuery {
  readonly state?: IncidentState;
  readonly kind?: IncidentKind;
  readonly account?: string;
  readonly limit: number;
  /** Sort key of the last incident of the previous page: this page starts after it. */
  readonly after?: string;
}

export const INCIDENT_PAGE = { default: 50, max: 100 } as const;

const CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\x21-\x7e]{1,256}$/;

function decodeCursor(token: string): string | undefined {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  return CURSOR.test(decoded) ? decoded : undefined;
}

export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

const LIMIT_MESSAGE = `expected an integer from 1 to ${INCIDENT_PAGE.max}`;
const TOKEN_MESSAGE = 'expected the nextToken of a previous answer';

const QuerySchema = z.strictObject({
  state: z.optional(z.enum(['open', 'resolved'], { error: 'expected open or resolved' })),
  kind: z.optional(z.enum(['incident', 'account-issue'], { error: 'expected incident or account-issue' })),
  account: z.optional(
    z
      .string()
      .check(z.minLength(1, 'expected an account name'), z.maxLength(128, 'expected at most 128 characters')),
  ),
  limit: z.optional(
    z.string().check(
      z.refine((text) => /^\d{1,3}$/.test(text) && Number(text) >= 1 && Number(text) <= INCIDENT_PAGE.max, {
        error: LIMIT_MESSAGE,
      }),
    ),
  ),
  nextToken: z.optional(
    z.string().check(
      z.refine((token) => token.length <= 1024 && decodeCursor(token) !== undefined, {
        error: TOKEN_MESSAGE,
      }),
    ),
  ),
});

/** One error per bad parameter; an unknown parameter is named as such (not lumped into one). */
function queryErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: key, message: 'unknown query parameter' }))
      : issuesToFieldErrors('', [issue]),
  );
}

/** The query string of `GET /v1/incidents`, validated: a 400 names every bad parameter. */
export function parseIncidentQuery(params: Readonly<Record<string, string | undefined>> = {}): IncidentQuery {
  const parsed = QuerySchema.safeParse(params);
  if (!parsed.success) {
    const details = queryErrors(parsed.error.issues);
    throw new ValidationError(
      `invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const { state, kind, account, limit, nextToken } = parsed.data;
  return {
    ...(state ? { state } : {}),
    ...(kind ? { kind } : {}),
    ...(account ? { account } : {}),
    limit: limit === undefined ? INCIDENT_PAGE.default : Number(limit),
    ...(nextToken ? { after: decodeCursor(nextToken) as string } : {}),
  };
}

export function matchesIncidentQuery(view: IncidentView, query: IncidentQuery): boolean {
  return (
    (query.state === undefined || view.state === query.state) &&
    (query.kind === undefined || view.kind === query.kind) &&
    (query.account === undefined || view.account === query.account) &&
    (query.after === undefined || incidentSortKey(view) < query.after)
  );
}

/**
 * One page, newest first, of the incidents matching the query among `candidates` (open and resolved, in
 * any order, any of them possibly outside the query); `nextToken` when more may follow.
 */
export function incidentPage(
  candidates: readonly IncidentView[],
  query: IncidentQuery,
  moreResolved: boolean,
): { readonly incidents: IncidentView[]; readonly nextToken?: string } {
  const seen = new Set<string>();
  const matching = candidates
    .filter((view) => matchesIncidentQuery(view, query))
    .sort((a, b) => (incidentSortKey(a) < incidentSortKey(b) ? 1 : -1))
    // An incident resolved between the two reads shows once, as the newer reading (sorted first).
    .filter((view) => !seen.has(view.subjectId) && seen.add(view.subjectId));
  const incidents = matching.slice(0, query.limit);
  const last = incidents.at(-1);
  const more = matching.length > query.limit || moreResolved;
  return { incidents, ...(more && last ? { nextToken: encodeCursor(incidentSortKey(last)) } : {}) };
}
