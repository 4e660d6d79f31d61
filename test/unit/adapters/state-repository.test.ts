import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createDocumentClient,
  StateConflictError,
  StateRepository,
  type StoredScope,
} from '../../../functions/adapters/state-repository';

const documentClient = createDocumentClient();
const ddb = mockClient(DynamoDBDocumentClient);
const sleep = jest.fn(async (_ms: number) => {});

function repository() {
  return new StateRepository<StoredScope>({ tableName: 'state', documentClient, sleep, clock: () => 0 });
}

describe('StateRepository', () => {
  afterEach(() => {
    ddb.reset();
  });

  it('asks again for the keys DynamoDB left unprocessed', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { state: [{ pk: 'a', sk: 'scope', version: 1, state: { key: 'a', version: 1 } }] },
        UnprocessedKeys: { state: { Keys: [{ pk: 'b', sk: 'scope' }] } },
      })
      .resolvesOnce({
        Responses: { state: [{ pk: 'b', sk: 'scope', version: 3, state: { key: 'b', version: 3 } }] },
      });

    const found = await repository().getMany(['a', 'b']);

    expect([...found.keys()]).toEqual(['a', 'b']);
    expect(ddb.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.state?.Keys).toEqual([
      { pk: 'b', sk: 'scope' },
    ]);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('gives up with an error when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).resolves({ UnprocessedKeys: { state: { Keys: [{ pk: 'a', sk: 'scope' }] } } });

    await expect(repository().getMany(['a'])).rejects.toThrow(/unprocessed/);
  });

  it('reads at most 100 keys per BatchGetItem call, consistently', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { state: [] } });

    await repository().getMany(Array.from({ length: 250 }, (_, i) => `k${i}`));

    const calls = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.state);
    expect(calls.map((c) => c?.Keys?.length)).toEqual([100, 100, 50]);
    expect(calls.every((c) => c?.ConsistentRead === true)).toBe(true);
  });

  it('reads eventually consistent (half the read units) only when asked to', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { state: [] } });

    await repository().getMany(['a', 'b'], { consistent: false });

    const [request] = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.state);
    expect(request?.ConsistentRead).toBe(false);
  });

  it('turns a failed condition into StateConflictError and passes other errors through', async () => {
    ddb
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))
      .rejectsOnce(
        new DynamoDBServiceException({
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: {},
        }),
      );

    await expect(repository().save({ key: 'a', version: 2 }, 1)).rejects.toBeInstanceOf(StateConflictError);
    await expect(repository().save({ key: 'a', version: 2 }, 1)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });

  it('writes a new scope only if none exists, and an update only from the expected version', async () => {
    ddb.on(PutCommand).resolves({});

    await repository().save({ key: 'a', version: 1 }, undefined);
    await repository().save({ key: 'a', version: 2 }, 1);

    const [create, update] = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(create?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(update?.ConditionExpression).toBe('#version = :expected');
    expect(update?.ExpressionAttributeValues).toEqual({ ':expected': 1 });
    expect(update?.Item).toMatchObject({ pk: 'a', sk: 'scope', version: 2 });
  });
  it('reads settled markers consistently by fingerprint, once each, keys only', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { state: [{ pk: 'settled#fp-b' }] } });

    const settled = await repository().settledAmong(['fp-a', 'fp-b', 'fp-a']);

    expect(settled).toEqual(new Set(['fp-b']));
    const [request] = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.state);
    expect(request).toEqual({
      Keys: [
        { pk: 'settled#fp-a', sk: 'batch' },
        { pk: 'settled#fp-b', sk: 'batch' },
      ],
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    });
  });

  it('asks nothing when there is no fingerprint to look up or to mark', async () => {
    expect(await repository().settledAmong([])).toEqual(new Set());
    await repository().markSettled([], 0);

    expect(ddb.calls()).toHaveLength(0);
  });

  it('writes markers 25 per BatchWriteItem call, kept 14 days, and retries the unprocessed ones', async () => {
    const fingerprints = Array.from({ length: 30 }, (_, i) => `fp-${i}`);
    const now = Date.UTC(2026, 10, 25, 15);
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: {
          state: [{ PutRequest: { Item: { pk: 'settled#fp-3', sk: 'batch', expiresAt: 1 } } }],
        },
      })
      .resolves({});

    await repository().markSettled(fingerprints, now);

    const calls = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.state ?? []);
    expect(calls.map((requests) => requests.length)).toEqual([25, 1, 5]);
    expect(calls[0]?.[0]).toEqual({
      PutRequest: {
        Item: { pk: 'settled#fp-0', sk: 'batch', expiresAt: Math.floor(now / 1000) + 14 * 24 * 3600 },
      },
    });
    expect(calls[1]?.[0]?.PutRequest?.Item?.pk).toBe('settled#fp-3');
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('gives up with an error when marker writes stay unprocessed', async () => {
    ddb.on(BatchWriteCommand).resolves({
      UnprocessedItems: { state: [{ PutRequest: { Item: { pk: 'settled#x', sk: 'batch' } } }] },
    });

    await expect(repository().markSettled(['x'], 0)).rejects.toThrow(/unprocessed/);
  });
});
