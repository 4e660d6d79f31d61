import {
  type DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { TriageError } from '../core/errors';
import type { RuntimeSilence } from '../core/silences';
import { SILENCE_PARTITION } from '../shared/table-layout';
import { createDocumentClient } from './state-repository';

/** An expired silence stays listed this long after its end, then DynamoDB TTL removes it. */
export const EXPIRED_SILENCE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** No silence has this id. */
export class SilenceNotFoundError extends TriageError {
  override readonly name = 'SilenceNotFoundError';
  override readonly statusCode = 404;
}

export interface SilenceStoreOptions {
  readonly tableName: string;
  readonly documentClient?: DynamoDBDocumentClient;
}

/** Run-time silences in the state table: pk = `silence`, sk = the silence id, the silence as JSON in `silence`. */
export class SilenceStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor(options: SilenceStoreOptions) {
    this.#tableName = options.tableName;
    this.#client = options.documentClient ?? createDocumentClient();
  }

  #item(silence: RuntimeSilence) {
    return {
      pk: SILENCE_PARTITION,
      sk: silence.id,
      silence: JSON.stringify(silence),
      expiresAt: Math.floor((Date.parse(silence.endsAt) + EXPIRED_SILENCE_RETENTION_MS) / 1000),
    };
  }

  async create(silence: RuntimeSilence): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: this.#item(silence),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<RuntimeSilence | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: { pk: SILENCE_PARTITION, sk: id },
        ConsistentRead: true,
      }),
    );
    return Item ? parseSilence(Item.silence) : undefined;
  }

  /** Replace a stored silence (an expiry); a silence that does not exist is not created. */
  async replace(silence: RuntimeSilence): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: this.#item(silence),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new SilenceNotFoundError(`no silence ${silence.id}`, { cause: error });
      }
      throw error;
    }
  }

  /** Every stored silence (pending, active and recently expired), in id order. */
  async list(): Promise<RuntimeSilence[]> {
    const silences: RuntimeSilence[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': SILENCE_PARTITION },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const silence = parseSilence(item.silence);
        if (silence) silences.push(silence);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return silences;
  }
}

function parseSilence(value: unknown): RuntimeSilence | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as RuntimeSilence;
  } catch {
    return undefined;
  }
}

/**
 * The run-time silences as the triage and sweep functions see them: read at most every `maxAgeMs` (so a new
 * or expired silence takes effect within that time), the last good read kept when a refresh fails.
 */
export class SilenceCache {
  readonly #store: Pick<SilenceStore, 'list'>;
  readonly #maxAgeMs: number;
  #silences: RuntimeSilence[] | undefined;
  #readAt = 0;

  constructor(store: Pick<SilenceStore, 'list'>, maxAgeMs: number) {
    this.#store = store;
    this.#maxAgeMs = maxAgeMs;
  }

  async current(now: number): Promise<RuntimeSilence[]> {
    if (this.#silences !== undefined && now - this.#readAt < this.#maxAgeMs) return this.#silences;
    try {
      this.#silences = await this.#store.list();
      this.#readAt = now;
    } catch (error) {
      // Never read: the caller fails and retries (its batch is redelivered). Else the last read holds a while.
      if (this.#silences === undefined) throw error;
    }
    return this.#silences;
  }
}
