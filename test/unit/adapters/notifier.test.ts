import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { Notifier, toSnsSubject } from '../../../functions/adapters/notifier';
import type { NotificationIntent, RenderedNotification } from '../../../functions/core/policy/types';
import { incidentOpened } from '../../helpers/notification-intent';

const sns = mockClient(SNSClient);

const TOPICS = {
  support: 'arn:aws:sns:us-east-1:000000000000:support-escalations',
  account: 'arn:aws:sns:us-east-1:000000000000:account-issues',
};

function intent(overrides: Partial<NotificationIntent> = {}): NotificationIntent {
  return incidentOpened({ notificationId: 'n-1', apps: ['checkout'], ...overrides });
}

const rendered: RenderedNotification = {
  subject: 'Incident opened: 500 Internal Server Error on m',
  text: 'An incident was opened.',
  json: '{"notificationId":"n-1"}',
  attributes: { kind: 'incident.opened', severity: 'critical', status: '500', account: '', model: 'm' },
};

describe('Notifier', () => {
  afterEach(() => {
    sns.reset();
  });

  it('publishes a JSON-structured message with subject and string attributes to the intent topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'mid-1' });
    const notifier = new Notifier({
      topicArns: TOPICS,
      snsClient: new SNSClient({}),
      render: () => rendered,
    });

    const messageId = await notifier.publish(intent({ topic: 'account' }));

    expect(messageId).toBe('mid-1');
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const message = JSON.parse(input?.Message ?? '{}') as Record<string, string>;
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'https', 'sms']);
    expect(message.sms).toBe(rendered.subject);
    expect(message.default).toBe(rendered.json);
    expect(message.email).toBe(rendered.text);
    // Chatbot subscribes over https: it gets the custom-notification format, threaded by subject.
    expect(JSON.parse(message.https ?? '{}')).toMatchObject({
      version: '1.0',
      source: 'custom',
      metadata: { threadId: 'inc-1', eventType: 'incident.opened' },
    });
    expect(input).toEqual({
      TopicArn: TOPICS.account,
      MessageStructure: 'json',
      Message: input?.Message,
      Subject: rendered.subject,
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'incident.opened' },
        severity: { DataType: 'String', StringValue: 'critical' },
        status: { DataType: 'String', StringValue: '500' },
        model: { DataType: 'String', StringValue: 'm' },
      },
    });
  });

  it('rejects when SNS does, so the caller keeps the intent in its outbox', async () => {
    sns.on(PublishCommand).rejects(new Error('throttled'));
    const notifier = new Notifier({
      topicArns: TOPICS,
      snsClient: new SNSClient({}),
      render: () => rendered,
    });

    await expect(notifier.publish(intent())).rejects.toThrow('throttled');
  });
});

describe('toSnsSubject', () => {
  it('keeps a readable ASCII subject as it is', () => {
    expect(toSnsSubject('[critical] 500 Internal Server Error')).toBe('[critical] 500 Internal Server Error');
  });

  it('turns typographic characters and line breaks into printable ASCII', () => {
    expect(toSnsSubject('Incident — “llama” café…\nresolved')).toBe('Incident - "llama" cafe... resolved');
  });

  it('cuts subjects to 100 characters', () => {
    const subject = toSnsSubject('x'.repeat(150));
    expect(subject).toHaveLength(100);
    expect(subject.endsWith('...')).toBe(true);
  });
});
