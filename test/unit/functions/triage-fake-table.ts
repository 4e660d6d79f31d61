import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { fromItem, packState } from '../../../functions/adapters/state-repository';
import type { ScopeState } from '../../../functions/core/policy';

type Item = Record<string, unknown>;

/**
 * An in-memory state table behind a mocked DocumentClient: enough of BatchGetItem, GetItem, conditional PutItem,
 * BatchWriteItem (puts) and the due-index Query for the triage and sweep flows, so unit tests can run them end
 * to end. Items are keyed by pk alone (scopes and settled markers never share one).
 */
export class FakeStateTable {
  readonly items = new Map<string, Item>();
  /** Runs before each put's condition check: a test simulates a concurrent writer or a failure here. */
  beforePut: ((item: Item) => void) | undefined;
  /** Runs before each BatchWriteItem: a test makes it throw to simulate a failed marker write. */
  beforeBatchWrite: ((items: Item[]) => void) | undefined;

  constructor(stub: AwsClientStub<DynamoDBDocumentClient>) {
    stub.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      const [tableName, request] = Object.entries(input.RequestItems ?? {})[0] ?? [];
      const found = (request?.Keys ?? []).flatMap((key) => {
        const item = this.items.get(String(key.pk));
        return item ? [structuredClone(item)] : [];
      });
      return { Responses: { [String(tableName)]: found } };
    });
    stub.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      const requests = Object.values(input.RequestItems ?? {})[0] ?? [];
      const items = requests.flatMap((request) =>
        request.PutRequest?.Item ? [structuredClone(request.PutRequest.Item) as Item] : [],
      );
      this.beforeBatchWrite?.(items);
      for (const item of items) this.items.set(String(item.pk), item);
      return { UnprocessedItems: {} };
    });
    stub.on(GetCommand).callsFake((input: GetCommandInput) => {
      const item = this.items.get(String(input.Key?.pk));
      return item ? { Item: structuredClone(item) } : {};
    });
    stub.on(PutCommand).callsFake((input: PutCommandInput) => {
      const item = structuredClone(input.Item ?? {}) as Item;
      this.beforePut?.(item);
      const stored = this.items.get(String(item.pk));
      const ok =
        input.ConditionExpression === 'attribute_not_exists(pk)'
          ? stored === undefined
          : stored !== undefined && stored.version === input.ExpressionAttributeValues?.[':expected'];
      if (!ok)
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      this.items.set(String(item.pk), item);
      return {};
    });
    stub.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const now = Number(input.ExpressionAttributeValues?.[':now']);
      const due = [...this.items.values()]
        .filter((item) => item.dueShard === 'due' && Number(item.nextDueAt) <= now)
        .sort((a, b) => Number(a.nextDueAt) - Number(b.nextDueAt));
      return { Items: structuredClone(due.slice(0, input.Limit ?? due.length)) };
    });
  }

  /** Store a scope as the repository would. */
  put(state: ScopeState): void {
    this.items.set(state.key, {
      pk: state.key,
      sk: 'scope',
      version: state.version,
      stateZ: packState(state),
      ...(state.nextDueAt !== undefined ? { dueShard: 'due', nextDueAt: state.nextDueAt } : {}),
    });
  }

  state(key: string): ScopeState | undefined {
    const item = this.items.get(key);
    return item ? fromItem<ScopeState>(item) : undefined;
  }

  /** Every scope record (not the settled markers). */
  states(): ScopeState[] {
    return [...this.items.values()]
      .filter((item) => item.sk === 'scope')
      .map((item) => this.state(String(item.pk)) as ScopeState);
  }

  /** The settled-batch markers, as pk → item. */
  markers(): Map<string, Item> {
    return new Map([...this.items].filter(([, item]) => item.sk === 'batch'));
  }
}
