import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ScopeLaneQueue } from '../../functions/adapters/scope-lane-queue';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import type { TriageEvent } from '../../functions/core/event';
import { batchesByScope, DEFAULT_POLICY, type ScopeState } from '../../functions/core/policy';
import { scopeLaneParts } from '../../functions/core/scope-lane';
import { createTriageHandler } from '../../functions/triage/triage';
import { lambdaContext } from '../fixtures/apigw';
import { batchRecord, sqsEvent } from '../fixtures/sqs';
import { createStateTable } from '../helpers/table';

const BULK_ARN = 'arn:aws:sqs:us-east-1:000000000000:bulk';
const NOW = Date.UTC(2026, 11, 7, 9, 0, 30);
const RECEIVED_AT = Date.UTC(2026, 11, 7, 9, 0, 0);
const HOT_MODEL = 'accounts/fireworks/models/llama-v3p1-70b-instruct';

/** A storm message: 8 events on one hot incident scope, 3 on one hot account group, 1 on a cold scope. */
function stormEvents(m: number): TriageEvent[] {
  const at = new Date(RECEIVED_AT - 60_000 + m * 1000).toISOString();
  return [
    ...Array.from({ length: 8 }, (_, i) => ({
      id: `${m}-h${i}`,
      status: 503,
      model: HOT_MODEL,
      occurredAt: at,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      id: `${m}-a${i}`,
      status: 402,
      account: 'acme',
      occurredAt: at,
    })),
    { id: `${m}-c`, status: 401, account: `cold-${m % 5}`, occurredAt: at },
  ];
}

describe('scope lane (fauxqs FIFO + dynalite)', () => {
  const client = new SQSClient({ useQueueUrlAsEndpoint: false });
  let queueUrl: string;
  let laneArn: string;

  beforeEach(async () => {
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: `scope-lane-${process.pid}-${Math.random().toString(36).slice(2)}.fifo`,
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
      }),
    );
    queueUrl = created.QueueUrl ?? '';
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    laneArn = attributes.Attributes?.QueueArn ?? '';
  });

  afterEach(async () => {
    await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  it('splits the bulk lane by scope, drops a redelivery as a duplicate, and counts every event once', async () => {
    const { tableName, drop } = await createStateTable();
    jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
    const repository = new StateRepository<ScopeState>({ tableName, documentClient: createDocumentClient() });
    const triage = createTriageHandler({
      config: DEFAULT_POLICY,
      repository,
      notifier: { publish: async (intent) => intent.notificationId },
      clock: () => NOW,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      plugin: { timeoutEarlyInMillis: 0 },
      scopeLane: { fromQueueArn: BULK_ARN, queue: new ScopeLaneQueue(queueUrl, { client }) },
    });
    try {
      const bulk = Array.from({ length: 12 }, (_, m) => ({
        ...batchRecord(`bulk-${m}`, { batchId: `req-${m}`, receivedAt: RECEIVED_AT, events: stormEvents(m) }),
        eventSourceARN: BULK_ARN,
      }));
      expect((await triage(sqsEvent(...bulk), lambdaContext())).batchItemFailures).toEqual([]);
      // The first four come back (an invocation that timed out after sending): the same parts, dropped.
      expect((await triage(sqsEvent(...bulk.slice(0, 4)), lambdaContext())).batchItemFailures).toEqual([]);
      const batches = Array.from({ length: 12 }, (_, m) => ({
        batchId: `req-${m}`,
        receivedAt: RECEIVED_AT,
        events: stormEvents(m),
      }));
      const keys = [
        ...new Set(batches.flatMap((batch) => [...batchesByScope(batch, DEFAULT_POLICY).keys()])),
      ];
      // Forwarding writes no state.
      expect((await repository.getMany(keys)).size).toBe(0);
      const sendOrder = new Map(
        batches.flatMap((batch) => scopeLaneParts(batch, DEFAULT_POLICY)).map((part, n) => [part.batchId, n]),
      );

      // The lane, as Lambda's FIFO event source reads it: batches of up to 10, each group in order.
      const groups = new Map<string, string[]>();
      let parts = 0;
      for (let empty = 0; empty < 3; ) {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) {
          empty++;
          continue;
        }
        const records = messages.map((message) => {
          const group = message.Attributes?.MessageGroupId ?? '';
          const batchId = JSON.parse(message.Body ?? '{}').batchId as string;
          groups.set(group, [...(groups.get(group) ?? []), batchId]);
          return {
            ...batchRecord(message.MessageId ?? '', JSON.parse(message.Body ?? '{}')),
            eventSourceARN: laneArn,
          } as SQSRecord;
        });
        parts += records.length;
        expect((await triage(sqsEvent(...records), lambdaContext())).batchItemFailures).toEqual([]);
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((message, n) => ({
              Id: `d${n}`,
              ReceiptHandle: message.ReceiptHandle ?? '',
            })),
          }),
        );
      }

      // 12 messages × 3 scopes; the redelivered four added none.
      expect(parts).toBe(36);
      // One group per scope: the hot incident, the hot group and five cold groups, each part in send order.
      expect(groups.size).toBe(7);
      for (const ids of groups.values()) {
        const order = ids.map((id) => sendOrder.get(id) ?? -1);
        expect(order).not.toContain(-1);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
      const stored = await repository.getMany(keys);
      const totals = [...stored.values()].map((state) => state.total).sort((a, b) => a - b);
      expect(totals.reduce((sum, total) => sum + total, 0)).toBe(12 * 12);
      expect(totals.slice(-2)).toEqual([36, 96]);
    } finally {
      await drop();
    }
  });
});
