import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { hashToken, TokenStore } from '../../../functions/adapters/token-store';

const ddb = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TOKEN = `fet_${'a'.repeat(43)}`;

afterEach(() => ddb.reset());

describe('TokenStore.verify cache', () => {
  it('asks the table once for a known token within the cache time, again after it', async () => {
    let now = 1_000_000;
    ddb
      .on(GetCommand)
      .resolves({ Item: { pk: 'token', sk: hashToken(TOKEN), tokenId: 'abc', app: 'checkout' } });
    const store = new TokenStore({ tableName: 't', documentClient, cacheSeconds: 60, clock: () => now });

    const identity = { tokenId: 'abc', app: 'checkout', scope: 'ingest' };
    await expect(store.verify(TOKEN)).resolves.toEqual(identity);
    await expect(store.verify(TOKEN)).resolves.toEqual(identity);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    now += 60_001;
    await store.verify(TOKEN);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('caches unknown tokens too, so a flood of bad requests does not hit the table', async () => {
    ddb.on(GetCommand).resolves({});
    const store = new TokenStore({ tableName: 't', documentClient, clock: () => 0 });
    for (let i = 0; i < 5; i++) await expect(store.verify(TOKEN)).resolves.toBeUndefined();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('looks the token up by its sha256 hash, never by the token', async () => {
    ddb.on(GetCommand).resolves({});
    await new TokenStore({ tableName: 't', documentClient }).verify(TOKEN);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({ pk: 'token', sk: hashToken(TOKEN) });
  });

  it('does not query for a string that is not a token', async () => {
    const store = new TokenStore({ tableName: 't', documentClient });
    await expect(store.verify('fw_abcdefabcdefabcdef')).resolves.toBeUndefined();
    await expect(store.verify(`${TOKEN}x`)).resolves.toBeUndefined();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('disables the cache with cacheSeconds 0', async () => {
    ddb.on(GetCommand).resolves({});
    const store = new TokenStore({ tableName: 't', documentClient, cacheSeconds: 0 });
    await store.verify(TOKEN);
    await store.verify(TOKEN);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
  });
});

describe('TokenStore.create', () => {
  it('stores the trimmed names and the hash of a fresh token, conditionally', async () => {
    ddb.on(PutCommand).resolves({});
    const { token, record } = await new TokenStore({ tableName: 't', documentClient }).create(
      { app: ' checkout ', account: 'acme' },
      Date.UTC(2026, 0, 2),
    );
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.Item).toEqual({
      pk: 'token',
      sk: hashToken(token),
      tokenId: hashToken(token).slice(0, 12),
      app: 'checkout',
      account: 'acme',
      scope: 'ingest',
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    expect(input?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(record.tokenId).toBe(hashToken(token).slice(0, 12));
  });

  it('makes a different token every time', async () => {
    ddb.on(PutCommand).resolves({});
    const store = new TokenStore({ tableName: 't', documentClient });
    const a = await store.create({ app: 'x' }, 0);
    const b = await store.create({ app: 'x' }, 0);
    expect(a.token).not.toBe(b.token);
  });
});

describe('TokenStore scopes', () => {
  it('stores the scope asked for, ingest when none is', async () => {
    ddb.on(PutCommand).resolves({});
    const store = new TokenStore({ tableName: 't', documentClient });
    expect((await store.create({ app: 'x', scope: 'admin' }, 0)).record.scope).toBe('admin');
    expect((await store.create({ app: 'x', scope: 'read' }, 0)).record.scope).toBe('read');
    expect((await store.create({ app: 'x' }, 0)).record.scope).toBe('ingest');
    expect(ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.scope)).toEqual([
      'admin',
      'read',
      'ingest',
    ]);
  });

  it('refuses a scope it does not know, naming the field', async () => {
    const store = new TokenStore({ tableName: 't', documentClient });
    await expect(store.create({ app: 'x', scope: 'root' as unknown as 'admin' }, 0)).rejects.toMatchObject({
      name: 'ValidationError',
      details: [{ path: 'scope', message: 'scope must be one of ingest, read, admin' }],
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('reads a token stored before scopes existed, or with an unknown scope, as ingest', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'token', sk: hashToken(TOKEN), tokenId: 'abc', app: 'old' } });
    const store = new TokenStore({ tableName: 't', documentClient, cacheSeconds: 0 });
    await expect(store.verify(TOKEN)).resolves.toMatchObject({ scope: 'ingest' });
    ddb.on(GetCommand).resolves({
      Item: { pk: 'token', sk: hashToken(TOKEN), tokenId: 'abc', app: 'x', scope: 'superuser' },
    });
    await expect(store.verify(TOKEN)).resolves.toMatchObject({ scope: 'ingest' });
    ddb
      .on(GetCommand)
      .resolves({ Item: { pk: 'token', sk: hashToken(TOKEN), tokenId: 'abc', app: 'x', scope: 'read' } });
    await expect(store.verify(TOKEN)).resolves.toMatchObject({ scope: 'read' });
  });
});
