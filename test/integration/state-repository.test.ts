import { inflateRawSync } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  QUIET_SCOPE_RETENTION_MS,
  SETTLED_RETENTION_MS,
  StateConflictError,
  StateRepository,
  type StoredScope,
} from '../../functions/adapters/state-repository';
import { createStateTable } from '../helpers/table';

interface TestScope extends StoredScope {
  readonly count: number;
  readonly note?: string;
}

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

describe('StateRepository (dynalite)', () => {
  const documentClient = createDocumentClient();
  let tableName: string;
  let drop: () => Promise<void>;
  let repository: StateRepository<TestScope>;

  beforeEach(async () => {
    ({ tableName, drop } = await createStateTable());
    repository = new StateRepository<TestScope>({ tableName, documentClient, clock: () => NOW });
  });

  afterEach(async () => {
    await drop();
  });

  it('creates a scope once: a second create of the same key is a conflict', async () => {
    await repository.save({ key: 'k1', version: 1, count: 1 }, undefined);

    await expect(repository.save({ key: 'k1', version: 1, count: 2 }, undefined)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    expect((await repository.getMany(['k1'])).get('k1')?.count).toBe(1);
  });

  it('updates only from the stored version; a stale writer gets StateConflictError', async () => {
    await repository.save({ key: 'k1', version: 1, count: 1 }, undefined);
    await repository.save({ key: 'k1', version: 2, count: 5 }, 1);

    const stale = repository.save({ key: 'k1', version: 2, count: 3 }, 1);

    await expect(stale).rejects.toMatchObject({ name: 'StateConflictError', key: 'k1', expectedVersion: 1 });
    expect((await repository.getMany(['k1'])).get('k1')).toEqual({ key: 'k1', version: 2, count: 5 });
  });

  it('stores the record deflated, so a typical scope record costs one write unit instead of two', async () => {
    const note = JSON.stringify({
      models: Array.from({ length: 5 }, (_, i) => `accounts/fireworks/models/llama-v3p1-${i}b-instruct`),
      samples: Array.from({ length: 5 }, (_, i) => `req-${i}${'0'.repeat(23)}`),
      window: Array.from({ length: 30 }, (_, i) => [NOW + i * 1000, 503, 1]),
      apps: ['checkout', 'search', 'support-bot', 'batch-summaries'],
    });
    expect(note.length).toBeGreaterThan(1024);
    await repository.save({ key: 'k1', version: 1, count: 3, note }, undefined);

    const stored = await documentClient.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: 'k1', sk: 'scope' },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const packed = stored.Item?.stateZ as Uint8Array;
    expect(packed).toBeInstanceOf(Uint8Array);
    expect(packed.byteLength).toBeLessThan(1024);
    expect(stored.Item?.state).toBeUndefined();
    expect(JSON.parse(inflateRawSync(packed).toString('utf8'))).toEqual({ count: 3, note });
    expect(await repository.get('k1')).toEqual({ key: 'k1', version: 1, count: 3, note });
    const put = await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...stored.Item, pk: 'k2' },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(put.ConsumedCapacity?.CapacityUnits).toBe(1);
  });

  it('still reads records written before compression (the state as a map)', async () => {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'old', sk: 'scope', version: 4, state: { key: 'old', version: 3, count: 9 } },
      }),
    );
    expect(await repository.get('old')).toEqual({ key: 'old', version: 4, count: 9 });
    expect((await repository.getMany(['old'])).get('old')).toEqual({ key: 'old', version: 4, count: 9 });
    // The next save writes the compressed form, conditioned on the stored version as usual.
    await repository.save({ key: 'old', version: 5, count: 10 }, 4);
    expect(await repository.get('old')).toEqual({ key: 'old', version: 5, count: 10 });
  });

  it('reads one scope, or undefined when it does not exist', async () => {
    await repository.save({ key: 'k1', version: 1, count: 7 }, undefined);

    expect(await repository.get('k1')).toEqual({ key: 'k1', version: 1, count: 7 });
    expect(await repository.get('missing')).toBeUndefined();
  });

  it('reads many keys across BatchGetItem calls and skips the missing ones', async () => {
    const keys = Array.from({ length: 130 }, (_, i) => `scope-${i}`);
    for (const key of keys.filter((_, i) => i % 2 === 0)) {
      await repository.save({ key, version: 1, count: 1 }, undefined);
    }

    const found = await repository.getMany([...keys, 'scope-0']);

    expect(found.size).toBe(65);
    expect(found.get('scope-128')).toEqual({ key: 'scope-128', version: 1, count: 1 });
    expect(found.has('scope-1')).toBe(false);
  });

  it('indexes a scope as due only while nextDueAt is set, and sets the TTL only when it is quiet', async () => {
    await repository.save({ key: 'due', version: 1, count: 1, nextDueAt: NOW + 60_000 }, undefined);
    await repository.save({ key: 'quiet', version: 1, count: 1 }, undefined);

    const due = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'due', sk: 'scope' } }),
    );
    const quiet = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'quiet', sk: 'scope' } }),
    );

    expect(due.Item).toMatchObject({ dueShard: 'due', nextDueAt: NOW + 60_000 });
    expect(due.Item?.expiresAt).toBeUndefined();
    expect(quiet.Item?.dueShard).toBeUndefined();
    expect(quiet.Item?.expiresAt).toBe(Math.floor((NOW + QUIET_SCOPE_RETENTION_MS) / 1000));
  });

  it('returns the due scopes whose time has come, oldest first, and drops them once they are quiet', async () => {
    await repository.save({ key: 'later', version: 1, count: 1, nextDueAt: NOW + 1 }, undefined);
    await repository.save({ key: 'second', version: 1, count: 1, nextDueAt: NOW }, undefined);
    await repository.save({ key: 'first', version: 1, count: 1, nextDueAt: NOW - 5_000 }, undefined);
    await repository.save({ key: 'quiet', version: 1, count: 1 }, undefined);

    expect((await repository.dueScopes(NOW)).map((s) => s.key)).toEqual(['first', 'second']);

    await repository.save({ key: 'first', version: 2, count: 1 }, 1);

    expect((await repository.dueScopes(NOW)).map((s) => s.key)).toEqual(['second']);
  });

  it('pages through the due index up to the limit', async () => {
    const paged = new StateRepository<TestScope>({ tableName, documentClient, duePageSize: 2 });
    for (let i = 0; i < 7; i++) {
      await paged.save({ key: `due-${i}`, version: 1, count: i, nextDueAt: NOW - 1000 + i }, undefined);
    }

    expect((await paged.dueScopes(NOW, 5)).map((s) => s.count)).toEqual([0, 1, 2, 3, 4]);
    expect(await paged.dueScopes(NOW)).toHaveLength(7);
  });
  it('answers which batches are settled once their markers are written, and keeps markers out of the scopes', async () => {
    const fingerprints = Array.from({ length: 30 }, (_, i) => `fp-${String(i).padStart(9, '0')}`);
    expect(await repository.settledAmong(fingerprints)).toEqual(new Set());

    await repository.markSettled(fingerprints.slice(0, 27), NOW);

    const settled = await repository.settledAmong([...fingerprints, 'never-seen']);
    expect(settled).toEqual(new Set(fingerprints.slice(0, 27)));
    const marker = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: `settled#${fingerprints[0]}`, sk: 'batch' } }),
    );
    expect(marker.Item?.expiresAt).toBe(Math.floor((NOW + SETTLED_RETENTION_MS) / 1000));
    expect(marker.Item?.dueShard).toBeUndefined();
    expect(await repository.dueScopes(NOW + SETTLED_RETENTION_MS)).toEqual([]);
  });
});
