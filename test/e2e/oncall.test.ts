jest.setTimeout(60_000);

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/adapters/state-repository';
import { TokenStore } from '../../functions/adapters/token-store';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post } from '../helpers/subscriber';

/** On-call operations through `npm start`: token scopes. */
describe('on call end to end (local stack)', () => {
  let stack: StackProcess;
  let tokens: TokenStore;

  beforeAll(async () => {
    stack = await startStackProcess();
    tokens = new TokenStore({
      tableName: stack.info.tableName,
      cacheSeconds: 0,
      documentClient: createDocumentClient(
        new DynamoDBClient({
          region: stack.info.region,
          endpoint: stack.info.endpoints.dynamodb,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
      ),
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('writes an ingest token and an admin token to the stack file, and prints both', async () => {
    await expect(tokens.verify(stack.info.token)).resolves.toMatchObject({ scope: 'ingest' });
    await expect(tokens.verify(stack.info.adminToken)).resolves.toMatchObject({ scope: 'admin' });
    expect(stack.output()).toContain(stack.info.adminToken);
  });

  it('lets ingest and admin tokens post events, answers 403 to a read token and 401 to none', async () => {
    const { token: readToken } = await tokens.create({ app: 'dashboard', scope: 'read' }, new Date());
    const event = { status: 429, model: 'accounts/e2e/models/scopes' };

    expect((await post(stack.info, event)).status).toBe(202);
    expect((await post(stack.info, event, { token: stack.info.adminToken })).status).toBe(202);
    const refused = await post(stack.info, event, { token: readToken });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { status: 403, type: 'forbidden' } });
    expect((await post(stack.info, event, { token: null })).status).toBe(401);
    expect((await post(stack.info, event, { token: `fet_${'x'.repeat(43)}` })).status).toBe(401);
  });
});
