import { HEADLINE, scopeText, subjectLine, where } from './policy/render';
import type { NotificationIntent } from './policy/types';
import { redactText } from './redact';
import { printable } from './safe-text';

/**
 * A notification in the custom-notification format of AWS Chatbot (Amazon Q Developer in chat
 * applications), which drops any SNS message not in this shape. Published as the `https` message of the
 * SNS MessageStructure json document (functions/adapters/notifier.ts): Chatbot subscribes over https.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  /** The notification id: unique per notice. */
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** The subject id: opened, reminder, acknowledged and resolved of one incident share a thread. */
    readonly threadId: string;
    /** The mobile push line. */
    readonly summary: string;
    readonly eventType: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/**
 * Bounds we keep each field within. The Chatbot guide gives the schema but not every field's maximum; these
 * follow the chat clients it renders into (Slack: a section block's text ≤ 3000 characters, a header ≤ 150)
 * with room to spare, so nothing is cut by the client instead of by us. A cut field ends in "…".
 */
export const CHAT_LIMITS = {
  title: 150,
  description: 3000,
  nextSteps: 5,
  nextStep: 500,
  keywords: 8,
  keyword: 50,
  summary: 150,
  contextValue: 256,
} as const;

const ELLIPSIS = '…';

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}${ELLIPSIS}`;
}

/**
 * A value shown in chat markdown: one line, no credential, and no `<`, `>` or `&` (Slack's control
 * characters: `<!channel>` would notify a whole channel, `<url|text>` would forge a link) nor backticks.
 */
function chatText(value: string): string {
  return printable(redactText(value))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, "'");
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

const STATE_LINE: Readonly<Record<string, string>> = {
  opened: 'New',
  updated: 'Growing',
  reminder: 'Still ongoing',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

function descriptionOf(intent: NotificationIntent): string {
  const transition = intent.kind.slice(intent.kind.indexOf('.') + 1);
  const statuses = Object.entries(intent.statusCounts)
    .map(([status, count]) => `${status} × ${count}`)
    .join(', ');
  const lines = [
    `*${STATE_LINE[transition] ?? transition}* · severity *${intent.severity}*`,
    `*Scope:* ${chatText(scopeText(intent))}`,
    `*Errors:* ${plural(intent.count, 'error')}, ${intent.newSinceLast} since the previous notice (${chatText(statuses)})`,
    `*First seen:* ${intent.firstSeen} · *Last seen:* ${intent.lastSeen}`,
  ];
  if (intent.account !== undefined && intent.topic === 'support')
    lines.push(`*Account:* ${chatText(intent.account)}`);
  if (intent.model !== undefined && intent.topic === 'account')
    lines.push(`*Model:* ${chatText(intent.model)}`);
  if (intent.apps.length > 0) lines.push(`*Apps:* ${chatText(intent.apps.join(', '))}`);
  if (intent.sampleRequestIds.length > 0)
    lines.push(`*Sample request ids:* ${chatText(intent.sampleRequestIds.join(', '))}`);
  if (intent.acknowledgedBy !== undefined) {
    lines.push(
      `*Acknowledged by* ${chatText(intent.acknowledgedBy)}${
        intent.acknowledgeComment ? `: ${chatText(intent.acknowledgeComment)}` : ''
      }; no reminders until it resolves.`,
    );
  }
  if (intent.delayedBySilence !== undefined)
    lines.push(`Held back by silence "${chatText(intent.delayedBySilence)}" until it ended.`);
  lines.push(
    `*Possible issue:* ${chatText(intent.possibleIssue)}`,
    `_${chatText(intent.subjectId)} · ${intent.notificationId}_`,
  );
  return cut(lines.join('\n'), CHAT_LIMITS.description);
}

function nextStepsOf(intent: NotificationIntent, runbookUrl: string | undefined): string[] {
  const steps: string[] = [];
  if (intent.kind.endsWith('.resolved')) steps.push('Nothing to do: no errors for the quiet period.');
  else steps.push(chatText(intent.resolution));
  // A URL is config (validated http(s)), shown as a link.
  if (runbookUrl !== undefined) steps.push(`Runbook: ${runbookUrl}`);
  if (!intent.kind.endsWith('.resolved') && intent.acknowledgedBy === undefined)
    steps.push(`Acknowledge to stop reminders: triage ack ${chatText(intent.subjectId)} --by NAME`);
  return steps.slice(0, CHAT_LIMITS.nextSteps).map((step) => cut(step, CHAT_LIMITS.nextStep));
}

function keywordsOf(intent: NotificationIntent): string[] {
  const words = [String(intent.status), intent.severity, intent.model && where(intent), intent.account];
  return words
    .filter((word): word is string => typeof word === 'string' && word !== '')
    .map((word) => cut(chatText(word), CHAT_LIMITS.keyword))
    .slice(0, CHAT_LIMITS.keywords);
}

function contextOf(intent: NotificationIntent, runbookUrl: string | undefined): Record<string, string> {
  const context: Record<string, string | undefined> = {
    notificationId: intent.notificationId,
    subjectId: intent.subjectId,
    kind: intent.kind,
    topic: intent.topic,
    status: String(intent.status),
    severity: intent.severity,
    count: String(intent.count),
    model: intent.model,
    account: intent.account,
    runbookUrl,
  };
  return Object.fromEntries(
    Object.entries(context)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => [key, cut(printable(redactText(value)), CHAT_LIMITS.contextValue)]),
  );
}

/** The chat rendering of a notification; pure, so `triage simulate --format chat` shows exactly this. */
export function renderChatNotification(intent: NotificationIntent, runbookUrl?: string): ChatNotification {
  const headline = HEADLINE[intent.kind];
  const title = `${intent.kind.endsWith('.resolved') ? ':white_check_mark:' : intent.severity === 'critical' ? ':rotating_light:' : ':warning:'} ${headline}: ${intent.status} ${intent.name} - ${where(intent)}`;
  return {
    version: '1.0',
    source: 'custom',
    id: intent.notificationId,
    content: {
      textType: 'client-markdown',
      title: cut(chatText(title), CHAT_LIMITS.title),
      description: descriptionOf(intent),
      nextSteps: nextStepsOf(intent, runbookUrl),
      keywords: keywordsOf(intent),
    },
    metadata: {
      threadId: intent.subjectId,
      summary: cut(printable(redactText(subjectLine(intent))), CHAT_LIMITS.summary),
      eventType: intent.kind,
      additionalContext: contextOf(intent, runbookUrl),
    },
  };
}
