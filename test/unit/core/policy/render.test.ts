import {
  DEFAULT_POLICY,
  type NotificationIntent,
  renderNotification,
} from '../../../../functions/core/policy';
import { event, MIN, PolicyStore, SEC } from './policy-harness';

function openedIncident(fields = {}): NotificationIntent {
  const store = new PolicyStore(DEFAULT_POLICY);
  const [intent] = store.apply([event(500, 0, fields)], SEC);
  if (!intent) throw new Error('expected an incident');
  return intent;
}

describe('renderNotification', () => {
  it('renders a readable subject, text body, JSON body and filter attributes', () => {
    const intent = openedIncident({ account: 'acme' });
    const rendered = renderNotification(intent);
    expect(rendered.subject).toBe(
      '[CRITICAL] Incident opened: 500 Internal Server Error - llama-v3p1-8b-instruct (1 error)',
    );
    expect(rendered.text).toContain(`Possible issue: ${intent.possibleIssue}`);
    expect(rendered.text).toContain(`Resolution:     ${intent.resolution}`);
    expect(rendered.text).toContain('Affected apps:  checkout');
    expect(rendered.text).toContain(intent.notificationId);
    expect(rendered.attributes).toEqual({
      kind: 'incident.opened',
      severity: 'critical',
      status: '500',
      account: 'acme',
      model: intent.model,
      app: 'checkout',
    });
  });

  it('serialises the whole intent as JSON that parses back to it', () => {
    const intent = openedIncident();
    expect(JSON.parse(renderNotification(intent).json)).toEqual(intent);
  });

  it('leaves out attributes that have no value (SNS rejects empty strings)', () => {
    const intent = openedIncident({ model: undefined, app: undefined, endpoint: '/v1/x' });
    const { attributes, subject } = renderNotification(intent);
    expect(Object.keys(attributes).sort()).toEqual(['kind', 'severity', 'status']);
    expect(subject).toContain('/v1/x');
  });

  it('keeps the subject ASCII and at most 100 characters for long, non-ASCII names', () => {
    const intent = openedIncident({ model: `accounts/x/models/${'modèle-très-long-'.repeat(20)}` });
    const { subject } = renderNotification(intent);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('marks resolved notices and account issues in the subject', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(402, 0, { account: 'acme' }), event(402, 0, { account: 'acme' })], SEC);
    store.sweepEveryMinute(MIN + SEC, 62 * MIN);
    const [opened, resolved] = store.sent.map((intent) => renderNotification(intent));
    expect(opened?.subject).toBe('[HIGH] Account issue: 402 Payment Required - account acme (2 errors)');
    expect(resolved?.subject).toBe(
      '[RESOLVED] Account issue resolved: 402 Payment Required - account acme (2 errors)',
    );
    expect(opened?.attributes).toMatchObject({
      kind: 'account-issue.opened',
      account: 'acme',
      status: '402',
    });
  });

  it('says in the text when a silence held the notice back', () => {
    const intent = { ...openedIncident(), delayedBySilence: 'deploy-window' };
    expect(renderNotification(intent).text).toContain('Held back by silence "deploy-window"');
  });
});
