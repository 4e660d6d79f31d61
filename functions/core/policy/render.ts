import { printable } from '../safe-text';
import type { NotificationIntent, NotificationKind, RenderedNotification } from './types';

/**
 * SNS-ready rendering of a notification intent (docs/design.md, "Notifications"): an ASCII subject of at most 100 characters
 * (SNS rejects longer or non-ASCII subjects), a plain-text body for e-mail, the intent as JSON for
 * machines, and string message attributes for subscription filter policies.
 */

const MAX_SUBJECT_CHARS = 100;

export const HEADLINE: Readonly<Record<NotificationKind, string>> = {
  'incident.opened': 'Incident opened',
  'incident.reminder': 'Incident ongoing',
  'incident.resolved': 'Incident resolved',
  'incident.acknowledged': 'Incident acknowledged',
  'account-issue.opened': 'Account issue',
  'account-issue.updated': 'Account issue growing',
  'account-issue.reminder': 'Account issue ongoing',
  'account-issue.resolved': 'Account issue resolved',
  'account-issue.acknowledged': 'Account issue acknowledged',
};

/** The last path segment of a model id: `accounts/fireworks/models/llama-v3` → `llama-v3`. */
const shortModel = (model: string) => model.slice(model.lastIndexOf('/') + 1) || model;

export function where(intent: NotificationIntent): string {
  if (intent.topic === 'account') return `account ${intent.scope.account ?? intent.account ?? 'unknown'}`;
  if (intent.scope.model !== undefined) return shortModel(intent.scope.model);
  if (intent.scope.endpoint !== undefined) return intent.scope.endpoint;
  return 'unknown model';
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function subjectLine(intent: NotificationIntent): string {
  const tag = intent.kind.endsWith('.resolved') ? 'RESOLVED' : intent.severity.toUpperCase();
  const text = `[${tag}] ${HEADLINE[intent.kind]}: ${intent.status} ${intent.name} - ${where(intent)} (${plural(intent.count, 'error')})`;
  // SNS subjects must be printable ASCII without line breaks.
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT_CHARS ? ascii : `${ascii.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

export function scopeText(intent: NotificationIntent): string {
  const { scope } = intent;
  if (intent.topic === 'account')
    return `account ${scope.account ?? 'unknown'}, status ${scope.status ?? intent.status}`;
  const rule =
    intent.subtype === 'lora-load-failed'
      ? 'LoRA load failures (412)'
      : scope.rule === 'immediate'
        ? `every ${intent.status}`
        : 'persistent 5xx';
  const target =
    scope.model !== undefined
      ? `model ${scope.model}`
      : scope.endpoint !== undefined
        ? `endpoint ${scope.endpoint}`
        : 'unknown model and endpoint';
  return `${rule} on ${target}`;
}

function textBody(intent: NotificationIntent, runbookUrl: string | undefined): string {
  const statuses = Object.entries(intent.statusCounts)
    .map(([status, count]) => `${status} x ${count}`)
    .join(', ');
  const lines = [
    `${HEADLINE[intent.kind]}: ${intent.status} ${intent.name}${intent.subtype ? ` (${intent.subtype})` : ''}`,
    '',
    `Scope:          ${scopeText(intent)}`,
    `Severity:       ${intent.severity}`,
    `Errors:         ${plural(intent.count, 'error')}, ${intent.newSinceLast} since the previous notice (${statuses})`,
    `First seen:     ${intent.firstSeen}`,
    `Last seen:      ${intent.lastSeen}`,
  ];
  if (intent.model !== undefined && intent.topic === 'account') lines.push(`Model:          ${intent.model}`);
  if (intent.account !== undefined && intent.topic === 'support')
    lines.push(`Account:        ${intent.account}`);
  if (intent.apps.length > 0) lines.push(`Affected apps:  ${intent.apps.join(', ')}`);
  if (intent.sampleRequestIds.length > 0) lines.push(`Request ids:    ${intent.sampleRequestIds.join(', ')}`);
  if (intent.acknowledgedBy !== undefined) {
    lines.push(
      `Acknowledged by ${intent.acknowledgedBy}${intent.acknowledgeComment ? `: ${intent.acknowledgeComment}` : ''}; no reminders until it resolves.`,
    );
  }
  if (intent.delayedBySilence !== undefined) {
    lines.push(`Held back by silence "${intent.delayedBySilence}" until it ended.`);
  }
  lines.push(
    '',
    `Possible issue: ${intent.possibleIssue}`,
    `Resolution:     ${intent.resolution}`,
    ...(runbookUrl === undefined ? [] : [`Runbook:        ${runbookUrl}`]),
    '',
    `Notification ${intent.notificationId} (${intent.kind}) at ${intent.at}; ${intent.subjectId} is the id of the whole ${intent.topic === 'support' ? 'incident' : 'issue group'}.`,
  );
  // A value (a model, an app, a request id) may hold a line break or an escape sequence: each line is made
  // printable, so no value can forge a line of the e-mail or reach a terminal raw.
  return lines.map(printable).join('\n');
}

function attributesOf(intent: NotificationIntent): Record<string, string> {
  const attributes: Record<string, string> = {
    kind: intent.kind,
    severity: intent.severity,
    status: String(intent.status),
  };
  // SNS rejects empty attribute values: leave out what is unknown.
  const optional = { account: intent.account, model: intent.model, app: intent.apps[0] };
  for (const [name, value] of Object.entries(optional)) if (value) attributes[name] = value;
  return attributes;
}

/** `runbookUrl`: where to read what to do (functions/core/runbooks.ts), carried in the JSON and the text. */
export function renderNotification(intent: NotificationIntent, runbookUrl?: string): RenderedNotification {
  return {
    subject: subjectLine(intent),
    text: textBody(intent, runbookUrl),
    json: JSON.stringify(runbookUrl === undefined ? intent : { ...intent, runbookUrl }),
    attributes: attributesOf(intent),
  };
}
