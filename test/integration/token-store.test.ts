import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { hashToken, TokenNotFoundError, TokenStore } from '../../functions/adapters/token-store';
import { ValidationError } from '../../functions/core/errors';
import { createStateTable } from '../helpers/table';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

describe('TokenStore (dynalite)', () => {
  let documentClient: DynamoDBDocumentClient;
  let tableName: string;
  let drop: () => Promise<void>;
  let store: TokenStore;

  // A fresh table per test: no test sees another's tokens.
  beforeEach(async () => {
    const table = await createStateTable({ prefix: 'token-store' });
    ({ tableName, drop } = table);
    documentClient = DynamoDBDocumentClient.from(table.client);
    store = new TokenStore({ tableName, documentClient, cacheSeconds: 0 });
  });

  afterEach(async () => {
    await drop();
  });

  it('creates a fet_ token that verifies to its app and account, storing only its hash', async () => {
    const { token, record } = await store.create({ app: 'checkout', account: 'acme', label: 'prod' }, NOW);

    expect(token).toMatch(/^fet_[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      tokenId: expect.stringMatching(/^[0-9a-f]{12}$/),
      app: 'checkout',
      account: 'acme',
      label: 'prod',
      scope: 'ingest',
      createdAt: '2026-11-25T15:00:00.000Z',
    });
    await expect(store.verify(token)).resolves.toEqual({
      tokenId: record.tokenId,
      app: 'checkout',
      account: 'acme',
      scope: 'ingest',
    });
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'token' },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items[0]?.sk).toMatch(/^[0-9a-f]{64}$/);
    expect(Items[0]?.sk.startsWith(record.tokenId)).toBe(true);
    expect(JSON.stringify(Items)).not.toContain(token.slice(4));
  });

  it('keeps the scope a token was created with, and reads a token stored without one as ingest', async () => {
    const admin = await store.create({ app: 'oncall', scope: 'admin' }, NOW);
    const legacy = `fet_${'L'.repeat(43)}`;
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'token',
          sk: hashToken(legacy),
          tokenId: hashToken(legacy).slice(0, 12),
          app: 'old',
          createdAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );

    await expect(store.verify(admin.token)).resolves.toMatchObject({ scope: 'admin' });
    await expect(store.verify(legacy)).resolves.toMatchObject({ app: 'old', scope: 'ingest' });
    expect((await store.list()).map((r) => [r.app, r.scope])).toEqual([
      ['old', 'ingest'],
      ['oncall', 'admin'],
    ]);
  });

  it('rejects unknown and malformed tokens', async () => {
    await store.create({ app: 'checkout' }, NOW);
    await expect(store.verify(`fet_${'A'.repeat(43)}`)).resolves.toBeUndefined();
    await expect(store.verify('not-a-token')).resolves.toBeUndefined();
    await expect(store.verify('')).resolves.toBeUndefined();
  });

  it('keeps several tokens valid at once and lists them without hashes', async () => {
    const first = await store.create({ app: 'checkout' }, NOW);
    const second = await store.create({ app: 'checkout', label: 'rotation' }, NOW + 1000);

    await expect(store.verify(first.token)).resolves.toMatchObject({ app: 'checkout' });
    await expect(store.verify(second.token)).resolves.toMatchObject({ app: 'checkout' });
    const listed = await store.list();
    expect(listed).toEqual([first.record, second.record]);
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{13,}/);
  });

  it('revokes a token by id prefix, after which it no longer verifies', async () => {
    const keep = await store.create({ app: 'checkout' }, NOW);
    const drop = await store.create({ app: 'search' }, NOW);

    await expect(store.revoke(drop.record.tokenId.slice(0, 8))).resolves.toEqual(drop.record);

    await expect(store.verify(drop.token)).resolves.toBeUndefined();
    await expect(store.verify(keep.token)).resolves.toMatchObject({ app: 'checkout' });
    expect((await store.list()).map((r) => r.tokenId)).toEqual([keep.record.tokenId]);
  });

  it('refuses to revoke an unknown id or a too-short prefix', async () => {
    const { record } = await store.create({ app: 'checkout' }, NOW);
    const other = record.tokenId.startsWith('0') ? 'ffffffffffff' : '000000000000';
    await expect(store.revoke(other)).rejects.toBeInstanceOf(TokenNotFoundError);
    await expect(store.revoke(record.tokenId.slice(0, 3))).rejects.toBeInstanceOf(ValidationError);
    expect(await store.list()).toHaveLength(1);
  });

  it('validates the app name on create and writes nothing when it is invalid', async () => {
    await expect(store.create({ app: '  ' }, NOW)).rejects.toBeInstanceOf(ValidationError);
    expect(await store.list()).toEqual([]);
  });

  it('serves a revoked token from its cache until the entry expires', async () => {
    let now = NOW;
    const cached = new TokenStore({ tableName, documentClient, cacheSeconds: 60, clock: () => now });
    const { token, record } = await store.create({ app: 'checkout' }, NOW);
    await expect(cached.verify(token)).resolves.toMatchObject({ app: 'checkout' });

    await store.revoke(record.tokenId);
    await expect(cached.verify(token)).resolves.toMatchObject({ app: 'checkout' });
    now += 61_000;
    await expect(cached.verify(token)).resolves.toBeUndefined();
  });
});
