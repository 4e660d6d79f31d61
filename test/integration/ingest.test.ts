import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import { TokenStore } from '../../functions/adapters/token-store';
import type { TriageEvent } from '../../functions/core/event';
import { applyBatches, DEFAULT_POLICY, describeScope, type ScopeState } from '../../functions/core/policy';
import { parseQueueMessage } from '../../functions/core/queue-message';
import { readQueueBody } from '../../functions/shared/queue-body';
import { lambdaContext, postEvents } from '../fixtures/apigw';
import { invokedAs } from '../helpers/aws-calls/invoked-as';
import { createStateTable } from '../helpers/table';

/** The production handler module, wired by its environment to dynalite and fauxqs. */
describe('ingest handler (dynalite + fauxqs)', () => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  let queueUrl: string;
  let urgentUrl: string;
  let drop: () => Promise<void>;
  let tableName: string;
  let token: string;
  let handler: (
    ...args: Parameters<typeof import('../../functions/ingest/handler').handler>
  ) => ReturnType<typeof import('../../functions/ingest/handler').handler>;

  beforeAll(async () => {
    const table = await createStateTable({ prefix: 'ingest' });
    drop = table.drop;
    const created = await sqs.send(new CreateQueueCommand({ QueueName: `ingest-${process.pid}` }));
    queueUrl = created.QueueUrl ?? '';
    const urgent = await sqs.send(new CreateQueueCommand({ QueueName: `ingest-urgent-${process.pid}` }));
    urgentUrl = urgent.QueueUrl ?? '';
    ({ token } = await new TokenStore({
      tableName: table.tableName,
      documentClient: DynamoDBDocumentClient.from(table.client),
    }).create({ app: 'checkout', account: 'acme' }, new Date(Date.UTC(2026, 10, 25))));
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      EVENTS_QUEUE_URL: queueUrl,
      URGENT_EVENTS_QUEUE_URL: urgentUrl,
      URGENT_STATUSES: '500',
      INCIDENT_QUIET_SECONDS: '900',
    });
    tableName = table.tableName;
    handler = invokedAs('ingest', (await import('../../functions/ingest/handler')).handler);
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: urgentUrl }));
    await drop();
  });

  async function drain(url = queueUrl) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return (out.Messages ?? []).map((m) => parseQueueMessage(readQueueBody(m.Body ?? '')));
  }

  it('queues the events of an authorised request, answering 202 with their ids', async () => {
    const result = await handler(
      postEvents({
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify([
          { id: 'a', status: 503 },
          { id: 'b', status: 402, account: 'globex' },
        ]),
      }),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toEqual({ accepted: 2, ids: ['a', 'b'] });
    const [message, ...more] = await drain();
    expect(more).toEqual([]);
    expect(message?.events).toEqual([
      { id: 'a', status: 503, app: 'checkout', account: 'acme', source: 'webhook' },
      { id: 'b', status: 402, app: 'checkout', account: 'globex', source: 'webhook' },
    ]);
  });

  it('queues a request as one message: on the urgent lane when one of its events pages', async () => {
    const result = await handler(
      postEvents({
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify([
          { id: 'x', status: 503 },
          { id: 'y', status: 500 },
          { id: 'z', status: 401 },
        ]),
      }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(202);
    const urgent = await drain(urgentUrl);
    expect(await drain()).toEqual([]);
    expect(urgent).toHaveLength(1);
    expect(urgent.flatMap((m) => m.events.map((e) => e.id))).toEqual(['x', 'y', 'z']);
  });

  it('queues a request that only fits compressed as one compressed message', async () => {
    // ~240 KiB of body, every event a distinct text: past one plain message once ids and apps are added.
    const events = Array.from({ length: 480 }, (_, n) => ({
      status: 503,
      model: 'accounts/acme/models/m',
      message: `upstream ${n} failed: ${'connection reset by peer; retrying '.repeat(12)}`,
    }));
    const body = JSON.stringify(events);
    expect(body.length).toBeGreaterThan(230 * 1024);
    const result = await handler(
      postEvents({ headers: { authorization: `Bearer ${token}` }, body }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(202);
    const messages = await drain();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.events).toHaveLength(480);
  });

  it('sends a 500 whose incident is already open to the bulk lane: it only adds to the count', async () => {
    const model = `accounts/acme/models/open-${process.pid}`;
    const at = Date.now() - 60_000;
    const first: TriageEvent = { id: 'first', status: 500, model, occurredAt: new Date(at).toISOString() };
    const key = describeScope(first, DEFAULT_POLICY).key;
    const opened = applyBatches(
      key,
      undefined,
      [{ batchId: 'b0', receivedAt: at, events: [first] }],
      at,
      DEFAULT_POLICY,
    );
    await new StateRepository<ScopeState>({ tableName, documentClient: createDocumentClient() }).save(
      opened.state as ScopeState,
      undefined,
    );

    const send = async (events: unknown[]) => {
      const result = await handler(
        postEvents({ headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(events) }),
        lambdaContext(),
      );
      expect(result.statusCode).toBe(202);
      const lanes = async (url?: string) =>
        (await drain(url)).flatMap((m) => m.events.map((e) => e.message ?? m.batchId));
      return { urgent: await lanes(urgentUrl), bulk: await lanes() };
    };
    // A request whose 500s are all on open incidents rides the bulk lane: it only adds to the count…
    expect(await send([{ status: 500, model, message: 'again' }])).toEqual({ urgent: [], bulk: ['again'] });
    // …and the urgent lane, whole, as soon as one of its 500s pages.
    expect(
      await send([
        { id: 'again', status: 500, model, message: 'again' },
        { id: 'new', status: 500, model: `${model}-other`, message: 'new' },
        { id: 'other', status: 404, message: 'other' },
      ]),
    ).toEqual({ urgent: ['again', 'new', 'other'], bulk: [] });
  });

  it('queues nothing for an unknown token', async () => {
    const result = await handler(
      postEvents({ headers: { authorization: `Bearer fet_${'0'.repeat(43)}` } }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(401);
    expect(await drain()).toEqual([]);
    expect(await drain(urgentUrl)).toEqual([]);
  });
});
