import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSBatchResponse } from 'aws-lambda';
import { lambdaContext } from '../fixtures/apigw';
import { batchRecord, sqsEvent } from '../fixtures/sqs';
import { invokedAs } from '../helpers/aws-calls/invoked-as';
import { createStateTable } from '../helpers/table';
import { receive, subscribedQueue } from './notifier-subscriber';

describe('triage handler module (dynalite + fauxqs)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('builds its clients from the environment alone and escalates a 500 to the support topic', async () => {
    const sns = new SNSClient({});
    const { tableName, drop } = await createStateTable();
    const support = await sns.send(new CreateTopicCommand({ Name: `support-${randomUUID()}` }));
    const account = await sns.send(new CreateTopicCommand({ Name: `account-${randomUUID()}` }));
    const onCall = await subscribedQueue(support.TopicArn as string, { kind: ['incident.opened'] });
    process.env = {
      ...saved,
      TABLE_NAME: tableName,
      SUPPORT_TOPIC_ARN: support.TopicArn,
      ACCOUNT_TOPIC_ARN: account.TopicArn,
      POLICY_CONFIG: '{}',
    };
    let handler: ((event: unknown, context: unknown) => Promise<SQSBatchResponse>) | undefined;
    jest.isolateModules(() => {
      handler = invokedAs('triage', require('../../functions/triage/handler').handler);
    });

    const result = await handler?.(
      sqsEvent(
        batchRecord('m-1', {
          batchId: `b-${randomUUID()}`,
          receivedAt: Date.now(),
          events: [{ id: 'e-1', status: 500, model: 'accounts/fireworks/models/wired', app: 'checkout' }],
        }),
      ),
      lambdaContext(),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const [opened] = await receive(onCall, 2);
    expect(opened?.body).toMatchObject({
      kind: 'incident.opened',
      status: 500,
      model: 'accounts/fireworks/models/wired',
    });
    await drop();
  });
});
