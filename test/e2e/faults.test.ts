jest.setTimeout(60_000);

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { fromItem } from '../../functions/adapters/state-repository';
import type { ScopeState } from '../../functions/core/policy';
import type { StackFile } from '../../local/stack';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post, Subscriber } from '../helpers/subscriber';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every scope record of the stack's table, as the repository reads it (records are stored deflated). */
async function scopes(info: StackFile): Promise<ScopeState[]> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: info.region,
      endpoint: info.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const result = await client.send(new ScanCommand({ TableName: info.tableName, ConsistentRead: true }));
  return (result.Items ?? []).filter((item) => item.sk === 'scope').map((item) => fromItem<ScopeState>(item));
}

/** How many events the scopes of a model have counted, summed (every event belongs to exactly one scope). */
async function countedFor(info: StackFile, model: string): Promise<number> {
  let total = 0;
  for (const state of await scopes(info)) {
    if (state.kind === 'incident' && state.model === model) total += state.total;
  }
  return total;
}

describe('guarantees through faults (local stack with fault control)', () => {
  let stack: StackProcess;
  let support: Subscriber;

  beforeAll(async () => {
    stack = await startStackProcess({ faultControl: true, config: { policy: { outboxRetrySeconds: 1 } } });
    support = await Subscriber.create(stack.info, 'supportEscalations');
    // Warm the token cache: with DynamoDB down the webhook still verifies a recently seen token.
    expect((await post(stack.info, { status: 404 })).status).toBe(202);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('counts every accepted event exactly once after a DynamoDB outage, and notifies once', async () => {
    const model = `accounts/e2e/models/outage-${randomUUID()}`;
    await stack.faults({ dynamodb: 'down' });
    let accepted = 0;
    for (let n = 0; n < 6; n++) {
      const answer = await post(stack.info, [
        { status: 500, model },
        { status: 500, model },
      ]);
      expect(answer.status).toBe(202);
      accepted += (answer.json.accepted as number) ?? 0;
      await sleep(300);
    }
    // A token the webhook has not seen lately cannot be checked: 503 with Retry-After, not a 500 or 401.
    const unchecked = await post(stack.info, { status: 500, model }, { token: `fet_${'u'.repeat(43)}` });
    expect(unchecked.status).toBe(503);
    expect(unchecked.json.error).toMatchObject({ status: 503, type: 'service_unavailable' });
    expect(await support.collectFor(1_000)).not.toContainEqual(
      expect.objectContaining({ body: expect.objectContaining({ model }) }),
    );
    await stack.faults({ dynamodb: 'up' });

    const deadline = Date.now() + 30_000;
    while ((await countedFor(stack.info, model)) < accepted && Date.now() < deadline) await sleep(500);
    await sleep(3_000); // anything double-counted or double-sent would show up by now
    expect(await countedFor(stack.info, model)).toBe(accepted);
    const forModel = (await support.collectFor(1_000)).filter((n) => n.body.model === model);
    expect(forModel.map((n) => n.body.kind)).toEqual(['incident.opened']);
  });

  it('publishes a notification held back by an SNS outage once SNS recovers (outbox), exactly once', async () => {
    const model = `accounts/e2e/models/sns-${randomUUID()}`;
    await stack.faults({ sns: 'down' });
    expect((await post(stack.info, { status: 500, model })).status).toBe(202);
    await sleep(3_000);
    expect(support.received.filter((n) => n.body.model === model)).toEqual([]);
    await stack.faults({ sns: 'up' });
    await support.waitFor((n) => n.body.model === model, { timeoutMs: 20_000 });
    await support.collectFor(3_000);
    expect(support.received.filter((n) => n.body.model === model).map((n) => n.body.kind)).toEqual([
      'incident.opened',
    ]);
  });

  it('counts a request sent twice once when its events carry ids, and twice when they do not', async () => {
    const named = `accounts/e2e/models/retry-named-${randomUUID()}`;
    const anonymous = `accounts/e2e/models/retry-anonymous-${randomUUID()}`;
    const withIds = [1, 2, 3].map((n) => ({ id: `${named}#${n}`, status: 503, model: named }));
    const withoutIds = [1, 2, 3].map(() => ({ status: 503, model: anonymous }));
    for (const body of [withIds, withoutIds, withIds, withoutIds]) {
      expect((await post(stack.info, body)).status).toBe(202);
    }
    const deadline = Date.now() + 20_000;
    while ((await countedFor(stack.info, anonymous)) < 6 && Date.now() < deadline) await sleep(300);
    await sleep(2_000); // the local bulk window is 1 s: a second count of the retry would show by now
    expect(await countedFor(stack.info, anonymous)).toBe(6);
    expect(await countedFor(stack.info, named)).toBe(3);
  });
});

describe('restart with --data', () => {
  it('keeps open incidents: a 500 after the restart does not open a second one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'triage-data-'));
    const model = `accounts/e2e/models/restart-${randomUUID()}`;
    try {
      const first = await startStackProcess({ dataDir });
      const firstSupport = await Subscriber.create(first.info, 'supportEscalations');
      expect((await post(first.info, { status: 500, model })).status).toBe(202);
      expect(await firstSupport.waitFor((n) => n.body.model === model, { timeoutMs: 10_000 })).toHaveLength(
        1,
      );
      await first.stop();

      const second = await startStackProcess({ dataDir });
      try {
        const secondSupport = await Subscriber.create(second.info, 'supportEscalations');
        const open = (await scopes(second.info)).filter(
          (state) => state.kind === 'incident' && state.model === model && state.current !== undefined,
        );
        expect(open).toHaveLength(1);
        expect((await post(second.info, { status: 500, model })).status).toBe(202);
        await sleep(2_000);
        expect((await secondSupport.collectFor(1_000)).filter((n) => n.body.model === model)).toEqual([]);
        expect(await countedFor(second.info, model)).toBe(2);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
