import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Notifier } from '../../functions/adapters/notifier';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import type { TriageEvent } from '../../functions/core/event';
import { DEFAULT_POLICY, type ScopeState } from '../../functions/core/policy';
import { createTriageHandler } from '../../functions/triage/triage';
import { lambdaContext } from '../fixtures/apigw';
import { batchRecord, sqsEvent } from '../fixtures/sqs';
import { createStateTable } from '../helpers/table';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const SECOND = 1000;
const sns = new SNSClient({});

const rateLimited = (id: string): TriageEvent => ({ id, status: 429, model: 'm', app: 'checkout' });

describe('triage exactly-once counting (dynalite + fauxqs)', () => {
  it('counts a redelivered message once, even after 400 newer batches on the same hot scope', async () => {
    const { tableName, drop } = await createStateTable();
    const support = await sns.send(new CreateTopicCommand({ Name: `support-${randomUUID()}` }));
    const account = await sns.send(new CreateTopicCommand({ Name: `account-${randomUUID()}` }));
    jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
    let now = T0;
    const repository = new StateRepository<ScopeState>({
      tableName,
      documentClient: createDocumentClient(),
      clock: () => now,
    });
    const triage = createTriageHandler({
      config: DEFAULT_POLICY,
      repository,
      notifier: new Notifier({
        topicArns: { support: support.TopicArn as string, account: account.TopicArn as string },
      }),
      clock: () => now,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      plugin: { timeoutEarlyInMillis: 0 },
    });
    const deliver = (batchId: string, at: number) => {
      now = at;
      return triage(
        sqsEvent(batchRecord(`msg-${batchId}`, { batchId, receivedAt: at, events: [rateLimited(batchId)] })),
        lambdaContext(),
      );
    };

    // A storm on one scope: 400 messages, one a second (well within the dedupe horizon), then the
    // first message comes back, as after a visibility timeout or a DLQ redrive.
    for (let i = 0; i < 400; i++) {
      expect((await deliver(`b-${i}`, T0 + i * SECOND)).batchItemFailures).toEqual([]);
    }
    const redelivered = await deliver('b-0', T0 + 400 * SECOND);

    expect(redelivered.batchItemFailures).toEqual([]);
    const counter = await repository.get('count#429');
    expect(counter?.total).toBe(400);
    // Only batches still in flight are remembered: the record does not grow with the traffic.
    expect(counter?.recentBatches.length).toBeLessThanOrEqual(3 * 12);
    await drop();
  }, 60_000);
});
