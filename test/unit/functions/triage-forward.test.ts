import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ScopeLaneQueue } from '../../../functions/adapters/scope-lane-queue';
import { createDocumentClient, StateRepository } from '../../../functions/adapters/state-repository';
import type { TriageEvent } from '../../../functions/core/event';
import { DEFAULT_POLICY, type ScopeState } from '../../../functions/core/policy';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { scopeLaneParts } from '../../../functions/core/scope-lane';
import { createTriageHandler } from '../../../functions/triage/triage';
import { lambdaContext } from '../../fixtures/apigw';
import { batchRecord, sqsEvent } from '../../fixtures/sqs';
import { FakeStateTable } from './triage-fake-table';

const BULK_ARN = 'arn:aws:sqs:us-east-1:123456789012:bulk';
const LANE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/scope-lane.fifo';
const NOW = Date.UTC(2026, 11, 7, 9, 0, 5);
const RECEIVED_AT = Date.UTC(2026, 11, 7, 9, 0, 0);

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

function events(message: number): TriageEvent[] {
  return [
    { id: `${message}-a`, status: 503, model: 'accounts/fireworks/models/hot', app: 'checkout' },
    { id: `${message}-b`, status: 402, account: 'acme', app: 'checkout' },
  ];
}

function bulkRecord(message: number, messageId = `msg-${message}`): SQSRecord {
  const record = batchRecord(messageId, {
    batchId: `b-${message}`,
    receivedAt: RECEIVED_AT,
    events: events(message),
  });
  return { ...record, eventSourceARN: BULK_ARN };
}

function setup() {
  const table = new FakeStateTable(ddb);
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const handler = createTriageHandler({
    config: DEFAULT_POLICY,
    repository: new StateRepository<ScopeState>({
      tableName: 'state',
      documentClient: createDocumentClient(),
    }),
    notifier: { publish: async (intent) => intent.notificationId },
    clock: () => NOW,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
    scopeLane: {
      fromQueueArn: BULK_ARN,
      queue: new ScopeLaneQueue(LANE_URL, {
        client: new SQSClient({ region: 'us-east-1' }),
        sleep: async () => {},
      }),
    },
  });
  return { table, triage: (...records: SQSRecord[]) => handler(sqsEvent(...records), lambdaContext()) };
}

const sentEntries = () =>
  sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  ddb.reset();
  sqs.reset();
});

describe('triage handler with the scope lane', () => {
  it("splits the bulk lane's messages by scope onto the FIFO lane, grouped by scope, touching no state", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { table, triage } = setup();

    const result = await triage(bulkRecord(1), bulkRecord(2));

    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
    expect(table.states()).toEqual([]);
    const expected = [1, 2].flatMap((m) =>
      scopeLaneParts({ batchId: `b-${m}`, receivedAt: RECEIVED_AT, events: events(m) }, DEFAULT_POLICY),
    );
    expect(
      sentEntries().map((entry) => [entry.MessageGroupId, entry.MessageDeduplicationId, entry.MessageBody]),
    ).toEqual(expected.map((part) => [part.groupId, part.deduplicationId, part.body]));
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(LANE_URL);
  });

  it('gives back only the messages whose parts could not be queued, and reports one that does not parse', async () => {
    // The first call (ten parts: messages 0–4) fails every time; the second succeeds.
    sqs
      .on(SendMessageBatchCommand)
      .callsFake((input: { Entries: { Id: string }[] }) =>
        input.Entries[0]?.Id === 'p0' ? Promise.reject(new Error('throttled')) : { Failed: [] },
      );
    const { triage } = setup();
    const bad = { ...bulkRecord(9, 'bad'), body: '{"v":1}' };

    const result = await triage(...[0, 1, 2, 3, 4, 5, 6].map((m) => bulkRecord(m)), bad);

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      ['bad', 'msg-0', 'msg-1', 'msg-2', 'msg-3', 'msg-4'].sort(),
    );
  });

  it('queues a message SQS delivered twice once, and acknowledges both copies', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { triage } = setup();

    const result = await triage(bulkRecord(1), bulkRecord(1, 'msg-1-copy'));

    expect(result.batchItemFailures).toEqual([]);
    expect(sentEntries()).toHaveLength(2);
  });

  it("triages the lane's own messages (and any other queue's) into state as before", async () => {
    const { table, triage } = setup();
    const [part] = scopeLaneParts(
      { batchId: 'b-1', receivedAt: RECEIVED_AT, events: events(1) },
      DEFAULT_POLICY,
    );
    const record = {
      ...batchRecord('lane-1', parseQueueMessage(part?.body ?? '')),
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:scope-lane.fifo',
    };

    const result = await triage(record);

    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(table.states().map((state) => state.total)).toEqual([1]);
  });
});
