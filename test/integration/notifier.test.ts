import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Notifier } from '../../functions/adapters/notifier';
import type { NotificationIntent } from '../../functions/core/policy/types';
import { receive, subscribedQueue } from './notifier-subscriber';

const sns = new SNSClient({});

const intent: NotificationIntent = {
  notificationId: 'account-issue.opened:grp-1:1',
  topic: 'account',
  kind: 'account-issue.opened',
  at: '2026-11-25T15:01:00.000Z',
  severity: 'high',
  status: 402,
  statusCounts: { '402': 3 },
  name: 'Payment Required',
  possibleIssue: 'Account is not on a paid plan or exceeded credit limits.',
  resolution: 'Check your billing status and ensure your payment method is valid.',
  scopeKey: 'account-issue#acme#402',
  scope: { account: 'acme', status: 402 },
  subjectId: 'grp-1',
  account: 'acme',
  apps: ['checkout'],
  count: 3,
  newSinceLast: 3,
  firstSeen: '2026-11-25T15:00:00.000Z',
  lastSeen: '2026-11-25T15:00:40.000Z',
  sampleRequestIds: ['req-1'],
};

describe('Notifier (fauxqs)', () => {
  it('delivers to the subscriber whose filter policy matches the account, and not to another account', async () => {
    const support = await sns.send(new CreateTopicCommand({ Name: `support-${randomUUID()}` }));
    const account = await sns.send(new CreateTopicCommand({ Name: `account-${randomUUID()}` }));
    const acmeQueue = await subscribedQueue(account.TopicArn as string, { account: ['acme'] });
    const otherQueue = await subscribedQueue(account.TopicArn as string, { account: ['globex'] });
    const notifier = new Notifier({
      topicArns: { support: support.TopicArn as string, account: account.TopicArn as string },
    });

    await notifier.publish(intent);

    const [delivered, ...more] = await receive(acmeQueue, 2);
    expect(more).toEqual([]);
    expect(delivered?.body).toMatchObject({
      notificationId: intent.notificationId,
      kind: 'account-issue.opened',
      account: 'acme',
    });
    expect(delivered?.subject).toMatch(/402/);
    expect(delivered?.attributes).toMatchObject({
      kind: 'account-issue.opened',
      account: 'acme',
      status: '402',
    });
    expect(await receive(otherQueue, 0)).toEqual([]);
  });
});
