jest.setTimeout(60_000);

import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import { DEFAULT_POLICY, describeScope, type ScopeState } from '../../functions/core/policy';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post, Subscriber } from '../helpers/subscriber';

/**
 * `npm start` with config `scopeLane.enabled`: the bulk lane's triage forwards each message's scopes to the
 * FIFO scope lane, and the same handler applies them there — counts and notifications as without it.
 */
describe('scope lane end to end (local stack)', () => {
  let stack: StackProcess;
  let support: Subscriber;

  beforeAll(async () => {
    stack = await startStackProcess({ config: { scopeLane: { enabled: true } } });
    support = await Subscriber.create(stack.info, 'supportEscalations');
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  it('runs the scope lane, a FIFO queue, and says so', async () => {
    expect(stack.output()).toMatch(/split by scope onto the FIFO scope lane/);
    const sqs = new SQSClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'fireworks-error-triage-scope-lane.fifo' }),
    );
    expect(QueueUrl).toMatch(/scope-lane\.fifo$/);
  });

  it('opens one incident for 503s that persist, through the lane, and counts every one of them once', async () => {
    const model = `accounts/e2e/models/${randomUUID()}`;
    const events = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((minutes) => ({
      status: 503,
      model,
      occurredAt: ago(minutes),
    }));
    // Two requests with a cold 401 each: every message touches two scopes, each a part of its own.
    for (const half of [events.slice(0, 5), events.slice(5)]) {
      const cold = { status: 401, account: `cold-${randomUUID()}` };
      expect((await post(stack.info, [...half, cold])).status).toBe(202);
    }
    await support.waitFor((n) => n.body.model === model, { timeoutMs: 15_000 });
    await support.collectFor(2_000);
    const forModel = support.received.filter((n) => n.body.model === model);
    expect(forModel.map((n) => n.body.kind)).toEqual(['incident.opened']);
    const dynamodb = new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const repository = new StateRepository<ScopeState>({
      tableName: stack.info.tableName,
      documentClient: createDocumentClient(dynamodb),
    });
    const incident = await repository.get(describeScope({ id: 'x', status: 503, model }, DEFAULT_POLICY).key);
    expect(incident?.total).toBe(10);
    // Settled markers are the lane's, one per part (two requests × two scopes), none per request: the
    // requests were forwarded, not triaged where they arrived.
    const items = await dynamodb.send(new ScanCommand({ TableName: stack.info.tableName }));
    const markers = (items.Items ?? []).filter((item) => item.pk?.S?.startsWith('settled#'));
    expect(markers).toHaveLength(4);
  });

  it('still pages a 500 at once through the urgent lane', async () => {
    const model = `accounts/e2e/models/${randomUUID()}`;
    const started = Date.now();
    expect((await post(stack.info, { status: 500, model })).status).toBe(202);
    const [opened] = await support.waitFor((n) => n.body.model === model, { timeoutMs: 10_000 });
    expect(opened?.attributes.kind).toBe('incident.opened');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
