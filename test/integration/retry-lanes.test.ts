import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventQueue } from '../../functions/adapters/event-queue';
import { Notifier } from '../../functions/adapters/notifier';
import {
  OPEN_INCIDENT_CACHE_MS,
  OpenIncidents,
  RESOLVE_MARGIN_MS,
} from '../../functions/adapters/open-incidents';
import { StateRepository } from '../../functions/adapters/state-repository';
import { TokenStore } from '../../functions/adapters/token-store';
import { DEFAULT_POLICY, describeScope, type ScopeState } from '../../functions/core/policy';
import { parseQueueMessage } from '../../functions/core/queue-message';
import { createIngestHandler } from '../../functions/ingest/ingest';
import { readQueueBody } from '../../functions/shared/queue-body';
import { createTriageHandler } from '../../functions/triage/triage';
import { lambdaContext, postEvents } from '../fixtures/apigw';
import { sqsEvent, sqsRecord } from '../fixtures/sqs';
import { createStateTable } from '../helpers/table';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const SECOND = 1000;
const QUIET_SECONDS = DEFAULT_POLICY.incidents.resolveAfterQuietSeconds;

/**
 * A request whose events carry ids, sent again after its 500s changed lanes (their incident opened, or
 * stopped counting as open, in between): the production ingest and triage code, wired as their handler
 * modules wire them but with one clock, against dynalite and fauxqs.
 */
describe('a retried request whose 500s change lanes (dynalite + fauxqs)', () => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const sns = new SNSClient({});
  let now = T0;
  let queueUrl: string;
  let urgentUrl: string;
  let drop: () => Promise<void>;
  let repository: StateRepository<ScopeState>;
  let ingest: ReturnType<typeof createIngestHandler>;
  let triage: ReturnType<typeof createTriageHandler>;
  let token: string;

  beforeAll(async () => {
    const table = await createStateTable({ prefix: 'retry-lanes' });
    drop = table.drop;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bulk-${randomUUID()}` }))).QueueUrl ?? '';
    urgentUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: `urgent-${randomUUID()}` }))).QueueUrl ?? '';
    const documentClient = DynamoDBDocumentClient.from(table.client);
    const clock = () => now;
    const tokens = new TokenStore({ tableName: table.tableName, documentClient, clock });
    ({ token } = await tokens.create({ app: 'checkout', account: 'acme' }, new Date(T0)));
    repository = new StateRepository<ScopeState>({ tableName: table.tableName, documentClient, clock });
    const open = new OpenIncidents({ repository, quietSeconds: QUIET_SECONDS, clock });
    jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
    const quiet = {
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      plugin: { timeoutEarlyInMillis: 0 },
    };
    ingest = createIngestHandler({
      tokens,
      queue: new EventQueue({
        queueUrl,
        urgent: {
          queueUrl: urgentUrl,
          statuses: new Set(DEFAULT_POLICY.incidents.immediateStatuses),
          stillUrgent: (events) => open.stillUrgent(events),
        },
        client: sqs,
      }),
      clock,
      ...quiet,
    });
    const topic = async (name: string) =>
      (await sns.send(new CreateTopicCommand({ Name: `${name}-${randomUUID()}` }))).TopicArn as string;
    triage = createTriageHandler({
      config: DEFAULT_POLICY,
      repository,
      notifier: new Notifier({
        topicArns: { support: await topic('support'), account: await topic('account') },
      }),
      clock,
      ...quiet,
    });
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: urgentUrl }));
    await drop();
  });

  const post = async (body: unknown) => {
    const result = await ingest(
      postEvents({ headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(202);
  };

  /** Everything queued, each lane's messages given to triage as the event source would; the batch ids per lane. */
  const deliver = async () => {
    const lanes: Record<'urgent' | 'bulk', string[]> = { urgent: [], bulk: [] };
    for (const [lane, url] of [
      ['urgent', urgentUrl],
      ['bulk', queueUrl],
    ] as const) {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) break;
        const records = Messages.map((m) => sqsRecord({ messageId: m.MessageId ?? '', body: m.Body ?? '' }));
        expect((await triage(sqsEvent(...records), lambdaContext())).batchItemFailures).toEqual([]);
        lanes[lane].push(...Messages.map((m) => parseQueueMessage(readQueueBody(m.Body ?? '')).batchId));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, n) => ({ Id: `d${n}`, ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
    return lanes;
  };

  const counted = async (model: string) => {
    const key = describeScope({ id: 'x', status: 500, model }, DEFAULT_POLICY).key;
    return (await repository.get(key))?.total ?? 0;
  };

  it('counts the 500 once when the retry finds the incident the first send opened (urgent, then bulk)', async () => {
    now = T0;
    const model = `accounts/acme/models/opened-${randomUUID()}`;
    const request = [{ id: `${model}#1`, status: 500, model }];
    await post(request);
    const first = await deliver();
    expect(first.bulk).toEqual([]);
    expect(first.urgent).toHaveLength(1);
    expect(await counted(model)).toBe(1);

    // After the container's look at the incident has expired: now it is open, so the 500 rides the bulk lane.
    now += OPEN_INCIDENT_CACHE_MS + SECOND;
    await post(request);
    const retry = await deliver();
    expect(await counted(model)).toBe(1);
    // The same batch, through the other lane.
    expect(retry).toEqual({ urgent: [], bulk: first.urgent });
  });

  it('counts the 500 once when the retry finds the incident no longer open (bulk, then urgent)', async () => {
    now = T0 + 3600 * SECOND;
    const model = `accounts/acme/models/closing-${randomUUID()}`;
    await post([{ id: `${model}#opening`, status: 500, model }]);
    await deliver();
    now += OPEN_INCIDENT_CACHE_MS + SECOND;
    const request = [
      { id: `${model}#1`, status: 500, model },
      { id: `${model}#2`, status: 404, model },
    ];
    await post(request);
    const first = await deliver();
    expect(first.urgent).toEqual([]);
    expect(await counted(model)).toBe(2);

    // The incident still open, but too close to its quiet-period resolve for a bulk-lane 500.
    now += QUIET_SECONDS * SECOND - RESOLVE_MARGIN_MS;
    await post(request);
    const retry = await deliver();
    expect(await counted(model)).toBe(2);
    // The request's one batch, through the other lane.
    expect(retry).toEqual({ urgent: first.bulk, bulk: [] });
    expect(first.bulk).toHaveLength(1);
  });
});
