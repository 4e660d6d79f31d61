import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { TriageError } from '../core/errors';

/** What the repository needs to know of a scope record; the rest of it is the policy engine's business. */
export interface StoredScope {
  readonly key: string;
  readonly version: number;
  readonly nextDueAt?: number;
}

/** Another writer changed (or created) the scope since it was read: reload and re-apply. */
export class StateConflictError extends TriageError {
  override readonly name = 'StateConflictError';
  readonly key: string;
  readonly expectedVersion: number | undefined;
  constructor(key: string, expectedVersion: number | undefined, options?: { cause?: unknown }) {
    super(
      expectedVersion === undefined
        ? `scope ${key} already exists`
        : `scope ${key} is no longer at version ${expectedVersion}`,
      options,
    );
    this.key = key;
    this.expectedVersion = expectedVersion;
  }
}

export const SCOPE_SORT_KEY = 'scope';
export const DUE_INDEX = 'due-index';
/** The one partition of the sparse due index; the sweep reads it in nextDueAt order. */
const DUE_SHARD = 'due';
/** Quiet scopes are kept this long after their last change, then DynamoDB TTL removes them. */
export const QUIET_SCOPE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** Settled-batch markers: pk = SETTLED_PREFIX + batch fingerprint, sk = SETTLED_SORT_KEY. */
const SETTLED_PREFIX = 'settled#';
const SETTLED_SORT_KEY = 'batch';
/**
 * A marker outlives every copy of its message: SQS keeps a message (and its DLQ copy, for a redrive) at
 * most 14 days.
 */
export const SETTLED_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;
/** BatchGetItem's and BatchWriteItem's limits. */
const MAX_BATCH_GET_KEYS = 100;
const MAX_BATCH_WRITE_ITEMS = 25;
const MAX_UNPROCESSED_RETRIES = 8;

type Key = Record<string, NativeAttributeValue>;
type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

export interface StateRepositoryOptions {
  readonly tableName: string;
  /** Built once at module scope by the caller (or a test) and shared; a default client otherwise. */
  readonly documentClient?: DynamoDBDocumentClient;
  /** The clock for TTL stamps; injectable so tests can pin it. */
  readonly clock?: () => number;
  /** Waits between retries of unprocessed keys; injectable so tests do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Items per due-index Query page. */
  readonly duePageSize?: number;
}

/** Build the DocumentClient the repository expects: undefined fields of a state are dropped, not errors. */
export function createDocumentClient(
  client: DynamoDBClient = new DynamoDBClient({}),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Scope records in the state table: one item per scope (pk = scope key, sk = 'scope'), written with one
 * conditional PutItem per change, so writes scale with scopes and a stale writer always loses. Beside them,
 * the settled-batch markers the triage handler uses to count every queue message exactly once.
 */
export class StateRepository<S extends StoredScope> {
  private readonly tableName: string;
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly duePageSize: number;

  constructor(options: StateRepositoryOptions) {
    this.tableName = options.tableName;
    this.documentClient = options.documentClient ?? createDocumentClient();
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.duePageSize = options.duePageSize ?? 100;
  }

  /**
   * The scopes that exist among `keys`; strongly consistent unless `consistent` is false. An eventually
   * consistent read costs half the read units, and is safe where every write that follows is conditional on
   * the version read (a stale copy only loses the race, and the writer reloads strongly consistent).
   */
  async getMany(
    keys: readonly string[],
    options: { readonly consistent?: boolean } = {},
  ): Promise<Map<string, S>> {
    const found = new Map<string, S>();
    const items = await this.batchGet(
      keys.map((pk) => ({ pk, sk: SCOPE_SORT_KEY })),
      undefined,
      options.consistent ?? true,
    );
    for (const item of items) {
      const state = fromItem<S>(item);
      found.set(state.key, state);
    }
    return found;
  }

  /**
   * Which of `fingerprints` (batch fingerprints) are settled: their marker exists. Strongly consistent, so a
   * marker written before this call is seen (the exactly-once argument in core/policy/recent-batches.ts
   * rests on that).
   */
  async settledAmong(fingerprints: Iterable<string>): Promise<Set<string>> {
    const keys = [...new Set(fingerprints)].map((fingerprint) => ({
      pk: SETTLED_PREFIX + fingerprint,
      sk: SETTLED_SORT_KEY,
    }));
    const items = await this.batchGet(keys, 'pk');
    return new Set(items.map((item) => String(item.pk).slice(SETTLED_PREFIX.length)));
  }

  /**
   * Record that the batches of `fingerprints` are saved in every scope they touched (processing time `now`):
   * one small marker each, kept {@link SETTLED_RETENTION_MS}, written with BatchWriteItem. Throws when
   * DynamoDB keeps refusing some of them; a marker written twice is harmless.
   */
  async markSettled(fingerprints: Iterable<string>, now: number): Promise<void> {
    const expiresAt = Math.floor((now + SETTLED_RETENTION_MS) / 1000);
    const puts: WriteRequest[] = [...new Set(fingerprints)].map((fingerprint) => ({
      PutRequest: { Item: { pk: SETTLED_PREFIX + fingerprint, sk: SETTLED_SORT_KEY, expiresAt } },
    }));
    for (let start = 0; start < puts.length; start += MAX_BATCH_WRITE_ITEMS) {
      let pending = puts.slice(start, start + MAX_BATCH_WRITE_ITEMS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES) {
          throw new TriageError(`state table kept ${pending.length} writes unprocessed after retries`);
        }
        if (attempt > 0) await this.sleep(backoffMs(attempt));
        const result = await this.documentClient.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  /** BatchGetItem of `keys` (deduplicated), 100 per call, unprocessed keys retried. */
  private async batchGet(keys: readonly Key[], projection?: string, consistent = true): Promise<Key[]> {
    const found: Key[] = [];
    const unique = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
    for (let start = 0; start < unique.length; start += MAX_BATCH_GET_KEYS) {
      let pending = unique.slice(start, start + MAX_BATCH_GET_KEYS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES) {
          throw new TriageError(`state table kept ${pending.length} keys unprocessed after retries`);
        }
        if (attempt > 0) await this.sleep(backoffMs(attempt));
        const result = await this.documentClient.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: pending,
                ConsistentRead: consistent,
                ...(projection ? { ProjectionExpression: projection } : {}),
              },
            },
          }),
        );
        found.push(...(result.Responses?.[this.tableName] ?? []));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** Strongly consistent read of one scope: the reload after a lost conditional write. */
  async get(key: string): Promise<S | undefined> {
    const result = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: key, sk: SCOPE_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return result.Item ? fromItem<S>(result.Item) : undefined;
  }

  /**
   * Write `state` if the stored version is still `expectedVersion` (or, when undefined, if the scope does
   * not exist yet). Throws {@link StateConflictError} when another writer got there first.
   */
  async save(state: S, expectedVersion: number | undefined): Promise<void> {
    if (expectedVersion !== undefined && !(state.version > expectedVersion)) {
      // Writing the same version again would let a second stale writer pass the same condition.
      throw new TriageError(
        `scope ${state.key} must advance its version past ${expectedVersion} (got ${state.version})`,
      );
    }
    const due = state.nextDueAt !== undefined;
    const item: Record<string, NativeAttributeValue> = {
      pk: state.key,
      sk: SCOPE_SORT_KEY,
      version: state.version,
      kind: (state as { kind?: unknown }).kind,
      stateZ: packState(state),
      // A due scope must never expire under the sweep; a quiet one goes after the retention period.
      ...(due
        ? { dueShard: DUE_SHARD, nextDueAt: state.nextDueAt }
        : { expiresAt: Math.floor((this.clock() + QUIET_SCOPE_RETENTION_MS) / 1000) }),
    };
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new StateConflictError(state.key, expectedVersion, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Scopes whose nextDueAt has passed, oldest first, at most `limit`. The index holds keys only (an index
   * write then costs one unit, whatever the record's size), so the records themselves are read afterwards,
   * strongly consistent: the index may lag a write, the table does not.
   */
  async dueScopes(now: number, limit = 500): Promise<S[]> {
    const keys: string[] = [];
    let exclusiveStartKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const result = await this.documentClient.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'dueShard = :due AND nextDueAt <= :now',
          ExpressionAttributeValues: { ':due': DUE_SHARD, ':now': now },
          Limit: Math.min(this.duePageSize, limit - keys.length),
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) keys.push(item.pk as string);
      exclusiveStartKey = result.LastEvaluatedKey;
    } while (exclusiveStartKey && keys.length < limit);
    const found = await this.getMany(keys);
    return keys.map((key) => found.get(key)).filter((state): state is S => state !== undefined);
  }
}

function backoffMs(attempt: number): number {
  return Math.min(50 * 2 ** attempt, 2000);
}

/**
 * The record as stored: its JSON, deflated (binary attribute `stateZ`). DynamoDB bills a write per started
 * KB of the item, and a scope record's JSON (~1.1–1.5 KB: key, model names, sample ids, window) deflates to
 * about half, so nearly every scope write costs one unit instead of two. The key and version live in `pk`
 * and `version` (what conditions check), so they are not repeated inside. Read it with
 * `JSON.parse(zlib.inflateRawSync(item.stateZ))` (see docs/design.md, "State records").
 */
export function packState(state: StoredScope): Uint8Array {
  const { key: _key, version: _version, ...rest } = state;
  return deflateRawSync(JSON.stringify(rest));
}

/** The scope a state-table item holds (compressed or, for records written before compression, a map). */
export function fromItem<S extends StoredScope>(item: Record<string, NativeAttributeValue>): S {
  // Records written before compression hold the state as a map in `state`.
  const stored =
    item.stateZ instanceof Uint8Array
      ? (JSON.parse(inflateRawSync(item.stateZ).toString('utf8')) as S)
      : (item.state as S);
  // The item's `version` is the one conditions check; it wins over any copy inside the state.
  return { ...stored, key: item.pk as string, version: item.version as number };
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
