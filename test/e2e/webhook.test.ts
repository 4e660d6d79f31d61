jest.setTimeout(60_000);

import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import { DEFAULT_POLICY, describeScope, type ScopeState } from '../../functions/core/policy';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post, Subscriber } from '../helpers/subscriber';

/**
 * The product end to end through `npm start`: HTTP → ingest → SQS → triage → DynamoDB → SNS → a
 * subscribed queue, with the production handlers and the real AWS SDK against the emulators.
 */
describe('webhook end to end (local stack)', () => {
  let stack: StackProcess;
  let support: Subscriber;

  beforeAll(async () => {
    stack = await startStackProcess({ config: { policy: { accountIssues: { groupWaitSeconds: 2 } } } });
    support = await Subscriber.create(stack.info, 'supportEscalations');
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const model = () => `accounts/e2e/models/${randomUUID()}`;
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  it('delivers a 500 to a support subscriber within 2 s', async () => {
    const m = model();
    const started = Date.now();
    const answer = await post(stack.info, { status: 500, model: m, message: 'Internal Server Error' });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 1, ids: [expect.any(String)] });
    const [opened] = await support.waitFor((n) => n.body.model === m, { timeoutMs: 10_000 });
    const elapsed = Date.now() - started;
    expect(opened?.attributes.kind).toBe('incident.opened');
    expect(opened?.body).toMatchObject({
      kind: 'incident.opened',
      status: 500,
      name: 'Internal Server Error',
    });
    expect(elapsed).toBeLessThan(2_000);
  });

  it('counts further 500s of an open incident (they take the bulk lane) without a second notification', async () => {
    const m = model();
    expect((await post(stack.info, { status: 500, model: m })).status).toBe(202);
    await support.waitFor((n) => n.body.model === m, { timeoutMs: 10_000 });
    for (const _ of [1, 2]) expect((await post(stack.info, { status: 500, model: m })).status).toBe(202);
    // The bulk lane's local window is 1 s; the sweep does not run in this window (60 s timer).
    // Everything received so far: still only the opening notice for this model.
    const all = await support.collectFor(3_000);
    expect(all.filter((n) => n.body.model === m).map((n) => n.body.kind)).toEqual(['incident.opened']);
    const repository = new StateRepository<ScopeState>({
      tableName: stack.info.tableName,
      documentClient: createDocumentClient(
        new DynamoDBClient({
          region: stack.info.region,
          endpoint: stack.info.endpoints.dynamodb,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
      ),
    });
    const incident = await repository.get(
      describeScope({ id: 'x', status: 500, model: m }, DEFAULT_POLICY).key,
    );
    expect(incident?.kind === 'incident' && incident.current?.count).toBe(3);
    expect(incident?.total).toBe(3);
  });

  it('lets a burst of 503s lasting seconds notify no one', async () => {
    const m = model();
    const events = Array.from({ length: 20 }, () => ({
      status: 503,
      model: m,
      occurredAt: new Date().toISOString(),
    }));
    expect((await post(stack.info, { events })).status).toBe(202);
    const seen = await support.collectFor(3_000);
    expect(seen.filter((n) => n.body.model === m)).toEqual([]);
  });

  it('opens exactly one incident for 503s that persist over the window', async () => {
    const m = model();
    const events = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((minutes) => ({
      status: 503,
      model: m,
      occurredAt: ago(minutes),
    }));
    // Two requests, so the incident opens from state that spans batches.
    expect((await post(stack.info, events.slice(0, 5))).status).toBe(202);
    expect((await post(stack.info, events.slice(5))).status).toBe(202);
    await support.waitFor((n) => n.body.model === m, { timeoutMs: 10_000 });
    await support.collectFor(2_000);
    const forModel = support.received.filter((n) => n.body.model === m);
    expect(forModel.map((n) => n.body.kind)).toEqual(['incident.opened']);
    expect(forModel[0]?.body.status).toBe(503);
  });

  it('groups 401s of one account into one notification after the group wait, filtered per billing owner', async () => {
    const account = `acme-${randomUUID().slice(0, 8)}`;
    const owner = await Subscriber.create(stack.info, 'accountIssues', { account: [account] });
    const otherOwner = await Subscriber.create(stack.info, 'accountIssues', { account: ['someone-else'] });
    const events = Array.from({ length: 12 }, () => ({ status: 401, account, message: 'Invalid API key' }));
    expect((await post(stack.info, events)).status).toBe(202);
    const arrived = await owner.waitFor(() => true, { timeoutMs: 15_000 });
    await owner.collectFor(2_000);
    expect(owner.received).toHaveLength(1);
    expect(arrived[0]?.body).toMatchObject({ kind: 'account-issue.opened', status: 401, account, count: 12 });
    expect(await otherOwner.collectFor(1_000)).toEqual([]);
  });

  describe('bad input gets the documented status and changes nothing', () => {
    const dynamodb = () =>
      new DynamoDBClient({
        region: stack.info.region,
        endpoint: stack.info.endpoints.dynamodb,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    const items = async () =>
      (await dynamodb().send(new ScanCommand({ TableName: stack.info.tableName, ConsistentRead: true })))
        .Items ?? [];

    it.each([
      ['malformed JSON', 400, 'invalid_request', { raw: '{"status": 500,' }],
      ['wrong types', 400, 'invalid_request', { body: { status: 'five hundred', model: 7 } }],
      [
        '501 events',
        413,
        'payload_too_large',
        { body: Array.from({ length: 501 }, () => ({ status: 500 })) },
      ],
      [
        'a 300 KiB body',
        413,
        'payload_too_large',
        { raw: JSON.stringify({ status: 500, message: 'x'.repeat(300 * 1024) }) },
      ],
      ['the wrong method', 405, 'method_not_allowed', { method: 'PUT', body: { status: 500 } }],
      ['no token', 401, 'unauthorized', { token: null, body: { status: 500 } }],
      [
        'a wrong token',
        401,
        'unauthorized',
        { token: 'fet_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', body: { status: 500 } },
      ],
      [
        'a non-JSON content type',
        415,
        'unsupported_media_type',
        { contentType: 'text/plain', body: { status: 500 } },
      ],
    ])('%s → %i', async (_name, status, type, request) => {
      const before = await items();
      const { body, ...options } = request as {
        body?: unknown;
        raw?: string;
        method?: string;
        token?: string | null;
        contentType?: string;
      };
      const answer = await post(stack.info, body, options);
      expect(answer.status).toBe(status);
      expect(answer.json).toMatchObject({ error: { status, type, message: expect.any(String) } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await items()).toEqual(before);
    });

    it('names every bad field of every bad item', async () => {
      const answer = await post(stack.info, {
        events: [{ status: 500 }, { status: 'x' }, { status: 503, occurredAt: 'soon' }],
      });
      expect(answer.status).toBe(400);
      const details = (answer.json.error as { details: { path: string }[] }).details.map((d) => d.path);
      expect(details).toEqual(['events[1].status', 'events[2].occurredAt']);
    });
  });

  it('serves the catalog', async () => {
    const response = await fetch(stack.info.codesUrl);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { codes: { code: number }[] };
    expect(body.codes.map((c) => c.code)).toContain(412);
  });
});
