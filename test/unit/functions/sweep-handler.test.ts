import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Notifier } from '../../../functions/adapters/notifier';
import { createDocumentClient, StateRepository } from '../../../functions/adapters/state-repository';
import type { TriageEvent } from '../../../functions/core/event';
import { DEFAULT_POLICY, type ScopeState } from '../../../functions/core/policy';
import { expireSilence, newSilence, type RuntimeSilence } from '../../../functions/core/silences';
import { createSweepHandler } from '../../../functions/sweep/sweep';
import { createTriageHandler } from '../../../functions/triage/triage';
import { lambdaContext } from '../../fixtures/apigw';
import { batchRecord, sqsEvent } from '../../fixtures/sqs';
import { FakeStateTable } from './triage-fake-table';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const SECOND = 1000;
const TOPICS = {
  support: 'arn:aws:sns:us-east-1:123456789012:support-escalations',
  account: 'arn:aws:sns:us-east-1:123456789012:account-issues',
};

const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

const scheduledEvent = {
  version: '0',
  id: 'd3f7c2a1-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-25T15:01:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/fireworks-error-triage-sweep'],
  detail: {},
} as ScheduledEvent;

function setup(silences?: { current: (now: number) => Promise<RuntimeSilence[]> }) {
  const table = new FakeStateTable(ddb);
  const added = jest.spyOn(Metrics.prototype, 'addMetric');
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  let now = T0;
  const common = {
    config: DEFAULT_POLICY,
    repository: new StateRepository<ScopeState>({
      tableName: 'state',
      documentClient: createDocumentClient(),
      clock: () => now,
    }),
    notifier: new Notifier({ topicArns: TOPICS, snsClient: new SNSClient({ region: 'us-east-1' }) }),
    clock: () => now,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
    ...(silences ? { silences } : {}),
  };
  const triageHandler = createTriageHandler(common);
  const sweepHandler = createSweepHandler(common);
  return {
    table,
    added,
    triage: (at: number, batchId: string, events: TriageEvent[]) => {
      now = at;
      return triageHandler(
        sqsEvent(batchRecord(batchId, { batchId, receivedAt: at, events })),
        lambdaContext(),
      );
    },
    sweep: (at: number) => {
      now = at;
      return sweepHandler(scheduledEvent, lambdaContext());
    },
  };
}

function published() {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function kinds() {
  return published().map((input) => input.MessageAttributes?.kind?.StringValue);
}

const payment = (id: string, account = 'acme'): TriageEvent => ({
  id,
  status: 402,
  account,
  app: 'checkout',
});

beforeEach(() => {
  ddb.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('sweep handler', () => {
  it('sends the account-issue digest once the group wait has elapsed, to the account topic', async () => {
    const { sweep, triage } = setup();
    await triage(T0, 'b-1', [payment('e-1'), payment('e-2')]);
    await triage(T0 + 10 * SECOND, 'b-2', [payment('e-3')]);
    expect(published()).toHaveLength(0);

    await sweep(T0 + 30 * SECOND);
    expect(published()).toHaveLength(0);

    const summary = await sweep(T0 + 61 * SECOND);

    expect(kinds()).toEqual(['account-issue.opened']);
    expect(published()[0]?.TopicArn).toBe(TOPICS.account);
    expect(JSON.parse(JSON.parse(published()[0]?.Message ?? '{}').default)).toMatchObject({ count: 3 });
    expect(summary).toMatchObject({ failed: 0, published: 1 });
  });

  it('does not send the same digest twice on the next runs', async () => {
    const { sweep, triage } = setup();
    await triage(T0, 'b-1', [payment('e-1')]);
    await sweep(T0 + 61 * SECOND);

    await sweep(T0 + 121 * SECOND);
    await sweep(T0 + 181 * SECOND);

    expect(kinds()).toEqual(['account-issue.opened']);
  });

  it('retries a notification whose publish failed, and empties the outbox once it went out', async () => {
    const { sweep, triage, table } = setup();
    sns.on(PublishCommand).rejectsOnce(new Error('SNS unavailable')).resolves({ MessageId: 'm-2' });
    await triage(T0, 'b-1', [{ id: 'e-1', status: 500, model: 'm', app: 'checkout' }]);
    const incident = () => table.states().find((s) => s.kind === 'incident');
    expect(incident()?.outbox).toHaveLength(1);

    await sweep(T0 + 60 * SECOND);

    expect(kinds()).toEqual(['incident.opened', 'incident.opened']);
    expect(published()[1]?.Message).toBe(published()[0]?.Message);
    expect(incident()?.outbox).toEqual([]);
  });

  it('keeps sweeping the other scopes when one scope fails, and counts the failure', async () => {
    const { sweep, triage, table, added } = setup();
    await triage(T0, 'b-1', [payment('e-1', 'acme')]);
    await triage(T0, 'b-2', [payment('e-2', 'globex')]);
    table.beforePut = (item) => {
      if (JSON.stringify(item).includes('globex')) {
        throw new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: {} });
      }
    };

    const summary = await sweep(T0 + 61 * SECOND);

    expect(summary).toMatchObject({ failed: 1, published: 1 });
    expect(published()[0]?.MessageAttributes?.account?.StringValue).toBe('acme');
    expect(added).toHaveBeenCalledWith('SweepFailures', 'Count', 1);
  });

  it('re-sweeps a scope another writer changed meanwhile, reading it back with GetItem (due records come in one BatchGetItem)', async () => {
    const { sweep, triage, table } = setup();
    await triage(T0, 'b-1', [payment('e-1')]);
    let raced = false;
    table.beforePut = (item) => {
      if (raced) return;
      raced = true;
      const stored = table.items.get(String(item.pk)) as Record<string, unknown>;
      table.items.set(String(item.pk), { ...stored, version: Number(stored.version) + 1 });
    };
    ddb.resetHistory();

    const summary = await sweep(T0 + 61 * SECOND);

    expect(summary).toMatchObject({ failed: 0, published: 1 });
    expect(kinds()).toEqual(['account-issue.opened']);
    expect(ddb.commandCalls(GetCommand).length).toBeGreaterThan(0);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('holds a 500 under a run-time silence, and sends it marked delayedBySilence on the first sweep after an early expiry', async () => {
    const silence = newSilence(
      { model: ['m'], duration: '2h', comment: 'maintenance' },
      { id: 'sil-1', now: T0, createdBy: 'oncall', maxDurationSeconds: 86_400 },
    );
    let current = [silence];
    const { sweep, triage } = setup({ current: async () => current });
    await triage(T0, 'b-1', [
      { id: 'e-1', status: 500, model: 'm', app: 'checkout' },
      { id: 'e-2', status: 500, model: 'other', app: 'checkout' },
    ]);
    expect(published().map((p) => JSON.parse(JSON.parse(p.Message ?? '{}').default).model)).toEqual([
      'other',
    ]);

    await sweep(T0 + 60 * SECOND);
    expect(published()).toHaveLength(1);

    current = [expireSilence(silence, T0 + 90 * SECOND)];
    await sweep(T0 + 120 * SECOND);

    expect(published()).toHaveLength(2);
    expect(JSON.parse(JSON.parse(published()[1]?.Message ?? '{}').default)).toMatchObject({
      kind: 'incident.opened',
      model: 'm',
      delayedBySilence: 'sil-1',
    });
  });
});
