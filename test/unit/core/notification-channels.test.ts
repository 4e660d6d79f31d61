import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_LIMITS, renderChatNotification } from '../../../functions/core/chat-notification';
import { parseCanonicalEvent } from '../../../functions/core/normalize';
import {
  FIREWORKS_ERROR_CODES_URL,
  PAGERDUTY_LIMITS,
  pagerDutyEvent,
} from '../../../functions/core/pagerduty-event';
import {
  DEFAULT_POLICY,
  type NotificationIntent,
  type NotificationKind,
  simulate,
} from '../../../functions/core/policy';
import { HEADLINE } from '../../../functions/core/policy/render';

const ROUTING = { topics: ['support', 'account'] as const, severities: ['critical', 'high'] as const };
const RUNBOOK = 'https://wiki.example.com/runbooks/fireworks-500';

/** A 500 incident and a 402 account issue through their whole lives, as the engine emits them. */
function lifecycle(): readonly NotificationIntent[] {
  const events = readFileSync(join(__dirname, '../../fixtures/simulate/outage.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, n) => parseCanonicalEvent({ id: `line-${n}`, ...JSON.parse(line) }));
  events.push(
    parseCanonicalEvent({
      id: 'urgent',
      status: 500,
      model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
      occurredAt: '2026-11-25T15:02:00Z',
    }),
  );
  return simulate(events, DEFAULT_POLICY).intents;
}

function intent(kind: NotificationKind, overrides: Partial<NotificationIntent> = {}): NotificationIntent {
  const account = kind.startsWith('account');
  return {
    notificationId: `s-1:1:${kind.slice(kind.indexOf('.') + 1)}`,
    topic: account ? 'account' : 'support',
    kind,
    at: '2026-11-25T15:00:00.000Z',
    severity: account ? 'high' : 'critical',
    status: account ? 402 : 500,
    statusCounts: { [account ? '402' : '500']: 3 },
    name: account ? 'Payment Required' : 'Internal Server Error',
    possibleIssue: 'Server error.',
    resolution: 'Retry later.',
    scopeKey: 'k',
    scope: account ? { account: 'acme', status: 402 } : { rule: 'immediate', model: 'accounts/f/models/m' },
    subjectId: 's-1',
    model: 'accounts/f/models/m',
    account: 'acme',
    apps: ['checkout'],
    count: 3,
    newSinceLast: 1,
    firstSeen: '2026-11-25T14:58:00.000Z',
    lastSeen: '2026-11-25T15:00:00.000Z',
    sampleRequestIds: ['r1'],
    ...(kind.endsWith('acknowledged') ? { acknowledgedBy: 'dana', acknowledgeComment: 'on it' } : {}),
    ...overrides,
  };
}

const KINDS: NotificationKind[] = [
  'incident.opened',
  'incident.reminder',
  'incident.acknowledged',
  'incident.resolved',
  'account-issue.opened',
  'account-issue.updated',
  'account-issue.reminder',
  'account-issue.acknowledged',
  'account-issue.resolved',
];

const SECRET = 'Authorization: Bearer sk-live-0123456789abcdef0123456789';

describe('renderChatNotification', () => {
  it.each(KINDS)('renders %s in the Chatbot custom-notification format', (kind) => {
    const chat = renderChatNotification(intent(kind), RUNBOOK);

    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { threadId: 's-1', eventType: kind },
    });
    expect(chat.content.title).toContain(HEADLINE[kind]);
    expect(chat.content.description).toContain('3 errors');
    expect(chat.content.nextSteps).toContain(`Runbook: ${RUNBOOK}`);
    expect(chat.content.keywords).toEqual(
      expect.arrayContaining([String(intent(kind).status), intent(kind).severity, 'acme']),
    );
    expect(chat.metadata.summary.length).toBeGreaterThan(10);
  });

  it('threads every notice of a subject together, across its transitions', () => {
    const intents = lifecycle();
    const bySubject = new Map<string, Set<string>>();
    for (const each of intents) {
      const thread = renderChatNotification(each).metadata.threadId;
      bySubject.set(each.subjectId, (bySubject.get(each.subjectId) ?? new Set()).add(thread));
    }
    expect(intents.map((i) => i.kind)).toEqual(
      expect.arrayContaining(['incident.opened', 'incident.resolved']),
    );
    for (const [subjectId, threads] of bySubject) expect([...threads]).toEqual([subjectId]);
  });

  it('keeps every field within its limit, however long the values', () => {
    const long = 'x'.repeat(10_000);
    const chat = renderChatNotification(
      intent('incident.opened', {
        name: long,
        model: long,
        scope: { rule: 'immediate', model: long },
        apps: Array.from({ length: 50 }, (_, n) => `${long}${n}`),
        resolution: long,
        possibleIssue: long,
        account: long,
      }),
      RUNBOOK,
    );

    expect(Array.from(chat.content.title).length).toBeLessThanOrEqual(CHAT_LIMITS.title);
    expect(Array.from(chat.content.description).length).toBeLessThanOrEqual(CHAT_LIMITS.description);
    expect(chat.content.nextSteps.length).toBeLessThanOrEqual(CHAT_LIMITS.nextSteps);
    for (const step of chat.content.nextSteps)
      expect(Array.from(step).length).toBeLessThanOrEqual(CHAT_LIMITS.nextStep);
    for (const word of chat.content.keywords)
      expect(Array.from(word).length).toBeLessThanOrEqual(CHAT_LIMITS.keyword);
    expect(Array.from(chat.metadata.summary).length).toBeLessThanOrEqual(CHAT_LIMITS.summary);
    expect(chat.content.description.endsWith('…')).toBe(true);
  });

  it('redacts credentials and neutralises Slack mentions and links in values', () => {
    const chat = renderChatNotification(
      intent('incident.acknowledged', {
        acknowledgeComment: SECRET,
        apps: ['<!channel> <https://evil|click>'],
      }),
    );
    const text = JSON.stringify(chat);

    expect(text).not.toContain('sk-live-0123456789abcdef');
    expect(text).not.toContain('<!channel>');
    expect(chat.content.description).toContain('&lt;!channel&gt;');
  });
});

describe('pagerDutyEvent', () => {
  it.each(KINDS)('maps %s to its Events v2 action with the subject id as dedup_key', (kind) => {
    const event = pagerDutyEvent(intent(kind), ROUTING, RUNBOOK);
    const action = kind.endsWith('resolved')
      ? 'resolve'
      : kind.endsWith('acknowledged')
        ? 'acknowledge'
        : 'trigger';

    expect(event).toMatchObject({ event_action: action, dedup_key: 's-1' });
    expect(JSON.stringify(event)).not.toContain('routing_key');
  });

  it('fills a trigger: summary, mapped severity, source, component, group, class, details and links', () => {
    const event = pagerDutyEvent(intent('account-issue.opened'), ROUTING, RUNBOOK);

    expect(event?.payload).toMatchObject({
      summary: expect.stringContaining('402 Payment Required'),
      severity: 'error',
      source: 'accounts/f/models/m',
      component: 'accounts/f/models/m',
      group: 'acme',
      class: '402 Payment Required',
      timestamp: '2026-11-25T15:00:00.000Z',
      custom_details: expect.objectContaining({ subjectId: 's-1', runbookUrl: RUNBOOK }),
    });
    expect(event?.links).toEqual([
      { href: RUNBOOK, text: 'Runbook' },
      { href: FIREWORKS_ERROR_CODES_URL, text: 'Fireworks error codes (402 Payment Required)' },
    ]);
    expect(pagerDutyEvent(intent('incident.opened'), ROUTING)?.payload?.severity).toBe('critical');
  });

  it('keeps one dedup_key across a subject trigger and resolve', () => {
    const keys = new Map<string, Set<string>>();
    const actions: string[] = [];
    for (const each of lifecycle()) {
      const event = pagerDutyEvent(each, {
        topics: ['support', 'account'],
        severities: ['critical', 'high', 'warning', 'info'],
      });
      if (!event) continue;
      actions.push(event.event_action);
      keys.set(each.subjectId, (keys.get(each.subjectId) ?? new Set()).add(event.dedup_key));
    }
    expect(actions).toEqual(expect.arrayContaining(['trigger', 'resolve']));
    for (const [subjectId, dedupKeys] of keys) expect([...dedupKeys]).toEqual([subjectId]);
  });

  it('forwards only the configured topics, and triggers only the configured severities', () => {
    const supportOnly = { topics: ['support'] as const, severities: ['critical'] as const };

    expect(pagerDutyEvent(intent('account-issue.opened'), supportOnly)).toBeUndefined();
    expect(pagerDutyEvent(intent('incident.opened', { severity: 'warning' }), supportOnly)).toBeUndefined();
    // A resolve always follows, so nothing is left open in PagerDuty.
    expect(
      pagerDutyEvent(intent('incident.resolved', { severity: 'warning' }), supportOnly)?.event_action,
    ).toBe('resolve');
  });

  it('keeps the summary within 1024 characters and redacts credentials in the details', () => {
    const event = pagerDutyEvent(
      intent('incident.opened', { name: 'y'.repeat(5000), acknowledgeComment: SECRET, apps: [SECRET] }),
      ROUTING,
    );

    expect(Array.from(event?.payload?.summary ?? '').length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(Array.from(event?.payload?.class ?? '').length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.field);
    expect(JSON.stringify(event)).not.toContain('sk-live-0123456789abcdef');
  });
});
