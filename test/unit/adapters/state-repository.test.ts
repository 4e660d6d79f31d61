import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
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
});
