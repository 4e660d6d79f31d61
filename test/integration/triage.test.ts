import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent } from 'aws-lambda';
import { Notifier } from '../../functions/adapters/notifier';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import type { TriageEvent } from '../../functions/core/event';
import { DEFAULT_POLICY, type ScopeState } from '../../functions/core/policy';
import { createSweepHandler } from '../../functions/sweep/sweep';
import { createTriageHandler } from '../../functions/triage/triage';
import { lambdaContext } from '../fixtures/apigw';
import { batchRecord, sqsEvent } from '../fixtures/sqs';
import { createStateTable } from '../helpers/table';
import { receive, subscribedQueue } from './notifier-subscriber';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const SECOND = 1000;
const sns = new SNSClient({});

/** Both handlers over the real adapters (dynalite + fauxqs), sharing one clock the test moves. */
async function stack() {
  const { tableName, drop } = await createStateTable();
  const supportTopic = await sns.send(new CreateTopicCommand({ Name: `support-${randomUUID()}` }));
  const accountTopic = await sns.send(new CreateTopicCommand({ Name: `account-${randomUUID()}` }));
  let now = T0;
  const repository = new StateRepository<ScopeState>({
    tableName,
    documentClient: createDocumentClient(),
    clock: () => now,
  });
  const deps = {
    config: DEFAULT_POLICY,
    repository,
    notifier: new Notifier({
      topicArns: { support: supportTopic.TopicArn as string, account: accountTopic.TopicArn as string },
    }),
    clock: () => now,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
  };
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const triage = createTriageHandler(deps);
  const sweep = createSweepHandler(deps);
  return {
    drop,
    repository,
    accountTopicArn: accountTopic.TopicArn as string,
    triage: (at: number, messageId: string, events: TriageEvent[]) => {
      now = at;
      return triage(
        sqsEvent(batchRecord(messageId, { batchId: messageId, receivedAt: at, events })),
        lambdaContext(),
      );
    },
    sweep: (at: number) => {
      now = at;
      return sweep({ 'detail-type': 'Scheduled Event', detail: {} } as ScheduledEvent, lambdaContext());
    },
  };
}

const unauthorized = (id: string, account: string): TriageEvent => ({
  id,
  status: 401,
  account,
  app: 'checkout',
  requestId: `req-${id}`,
});

describe('triage → sweep (dynalite + fauxqs)', () => {
  it('groups 401s of an account into one digest after the group wait, delivered to that account only', async () => {
    const s = await stack();
    const acme = await subscribedQueue(s.accountTopicArn, { account: ['acme'] });
    const globex = await subscribedQueue(s.accountTopicArn, { account: ['globex'] });

    const first = await s.triage(T0, 'batch-1', [unauthorized('e-1', 'acme'), unauthorized('e-2', 'acme')]);
    const second = await s.triage(T0 + 20 * SECOND, 'batch-2', [unauthorized('e-3', 'acme')]);
    const redelivered = await s.triage(T0 + 25 * SECOND, 'batch-2', [unauthorized('e-3', 'acme')]);
    await s.sweep(T0 + 30 * SECOND);

    expect([first, second, redelivered].flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await receive(acme)).toEqual([]);

    const summary = await s.sweep(T0 + 61 * SECOND);

    expect(summary).toMatchObject({ failed: 0, published: 1 });
    const [digest, ...others] = await receive(acme);
    expect(others).toEqual([]);
    expect(digest?.body).toMatchObject({
      kind: 'account-issue.opened',
      account: 'acme',
      status: 401,
      count: 3,
    });
    expect(await receive(globex)).toEqual([]);

    await s.sweep(T0 + 121 * SECOND);
    expect(await receive(acme)).toEqual([]);
    const [group] = (await s.repository.dueScopes(T0 + 10 * 24 * 3600 * SECOND)).filter(
      (scope) => scope.kind === 'account-issue',
    );
    expect(group?.outbox).toEqual([]);
    await s.drop();
  });
});
