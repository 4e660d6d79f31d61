import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { main } from '../../../cli/main';
import { clientConfig, resolveStackTarget } from '../../../cli/stack-target';
import { TokenStore } from '../../../functions/adapters/token-store';
import { type CliTable, captureIo, startCliTable } from '../../helpers/cli-dynalite';

const ARN = (region: string, name: string) => `arn:aws:sns:${region}:123456789012:${name}`;

describe('cli/stack-target', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-target-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const localStack = {
    region: 'us-east-1',
    webhookUrl: 'http://127.0.0.1:3000/v1/events',
    token: 'fet_x',
    tableName: 'local-table',
    queueUrl: 'http://127.0.0.1:4566/000000000000/events',
    endpoints: {
      sns: 'http://127.0.0.1:4566',
      sqs: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:8000',
    },
    topics: { supportEscalations: ARN('us-east-1', 'support'), accountIssues: ARN('us-east-1', 'account') },
  };

  it('reads a local stack file given with --stack', () => {
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(localStack));
    const target = resolveStackTarget({ stack: 'stack.json', cwd: dir });
    expect(target).toMatchObject({
      kind: 'local',
      tableName: 'local-table',
      token: 'fet_x',
      region: 'us-east-1',
    });
    expect(clientConfig(target, 'dynamodb')).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:8000',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  it('falls back to ./.local/stack.json', () => {
    mkdirSync(join(dir, '.local'));
    writeFileSync(join(dir, '.local', 'stack.json'), JSON.stringify(localStack));
    expect(resolveStackTarget({ cwd: dir }).source).toBe(join(dir, '.local', 'stack.json'));
  });

  it('reads the outputs cdk deploy writes, with the default credential chain', () => {
    writeFileSync(
      join(dir, 'outputs.json'),
      JSON.stringify({
        OtherStack: { BucketName: 'b' },
        FireworksErrorTriage: {
          WebhookUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/events',
          StateTableName: 'triage-state',
          EventsQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/events',
          SupportEscalationsTopicArn: ARN('eu-west-1', 'support'),
          AccountIssuesTopicArn: ARN('eu-west-1', 'account'),
        },
      }),
    );
    const target = resolveStackTarget({ outputs: 'outputs.json', cwd: dir, defaultRegion: 'us-east-1' });
    expect(target).toMatchObject({
      kind: 'aws',
      region: 'eu-west-1',
      tableName: 'triage-state',
      topics: { supportEscalations: ARN('eu-west-1', 'support') },
    });
    expect(target.token).toBeUndefined();
    expect(clientConfig(target, 'sqs')).toEqual({ region: 'eu-west-1' });
  });

  it('explains what to do when there is no stack file', () => {
    expect(() => resolveStackTarget({ cwd: dir })).toThrow(/npm start.*--stack FILE.*--outputs FILE/);
  });

  it('names the problem in a malformed file', () => {
    writeFileSync(join(dir, 'stack.json'), '{"region": 1}');
    expect(() => resolveStackTarget({ stack: 'stack.json', cwd: dir })).toThrow(/region/);
    writeFileSync(join(dir, 'outputs.json'), '{"A": {"StateTableName": "a"}, "B": {"StateTableName": "b"}}');
    expect(() => resolveStackTarget({ outputs: 'outputs.json', cwd: dir, defaultRegion: 'x' })).toThrow(
      /A, B/,
    );
  });
});

describe('triage token (dynalite)', () => {
  let cli: CliTable;
  let tableName: string;
  let documentClient: DynamoDBDocumentClient;
  let stackArgs: string[];

  beforeAll(async () => {
    cli = await startCliTable('token-cli');
    ({ tableName, stackArgs } = cli);
    documentClient = DynamoDBDocumentClient.from(cli.client);
  });

  afterAll(() => cli.stop());

  async function triage(...args: string[]) {
    const io = captureIo();
    const code = await main(['token', ...args, ...stackArgs], io);
    return { code, ...io };
  }

  it('creates a token that the store verifies, printing it once with its id', async () => {
    const { code, lines, errors } = await triage(
      'create',
      '--app',
      'checkout',
      '--account',
      'acme',
      '--label',
      'prod',
    );

    expect(code).toBe(0);
    const token = lines[0]?.match(/^token: (fet_[A-Za-z0-9_-]{43})$/)?.[1];
    const id = lines[1]?.match(/^id:\s+([0-9a-f]{12})\s+app: checkout\s+scope: ingest\s+account: acme$/)?.[1];
    expect(token).toBeDefined();
    expect(id).toBeDefined();
    expect(errors.join('\n')).toMatch(/not shown again/);
    const identity = await new TokenStore({ tableName, documentClient }).verify(token as string);
    expect(identity).toEqual({ tokenId: id, app: 'checkout', account: 'acme', scope: 'ingest' });
  });

  it('creates a token with the scope asked for', async () => {
    const { code, lines } = await triage('create', '--app', 'oncall', '--scope', 'admin', '--json');
    expect(code).toBe(0);
    const created = JSON.parse(lines[0] ?? '{}');
    expect(created.scope).toBe('admin');
    const identity = await new TokenStore({ tableName, documentClient }).verify(created.token);
    expect(identity?.scope).toBe('admin');
  });

  it('lists tokens with id, app, scope, account, label and creation time, never a full hash or token', async () => {
    const created = await triage('create', '--app', 'search', '--scope', 'read', '--json');
    const record = JSON.parse(created.lines[0] ?? '{}');

    const { code, lines } = await triage('list');

    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^ID\s+APP\s+SCOPE\s+ACCOUNT\s+LABEL\s+CREATED$/);
    const row = lines.find((l) => l.startsWith(record.tokenId));
    expect(row).toMatch(
      new RegExp(`^${record.tokenId}\\s+search\\s+read\\s+-\\s+-\\s+\\d{4}-\\d{2}-\\d{2}T`),
    );
    const output = lines.join('\n');
    expect(output).not.toMatch(/[0-9a-f]{13,}/);
    expect(output).not.toContain(record.token);
  });

  it('revokes a token by id so it no longer verifies', async () => {
    const created = JSON.parse((await triage('create', '--app', 'batch', '--json')).lines[0] ?? '{}');

    const { code, lines } = await triage('revoke', created.tokenId);

    expect(code).toBe(0);
    expect(lines).toEqual([`revoked ${created.tokenId} (app batch)`]);
    await expect(
      new TokenStore({ tableName, documentClient }).verify(created.token),
    ).resolves.toBeUndefined();
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :id)',
        ExpressionAttributeValues: { ':pk': 'token', ':id': created.tokenId },
      }),
    );
    expect(Items).toEqual([]);
  });

  it('fails with exit 1 for an id that matches no token', async () => {
    const { code, errors } = await triage('revoke', 'abcdef123456');
    expect(code).toBe(1);
    expect(errors[0]).toMatch(/no token with id abcdef123456/);
  });

  it('rejects bad usage with exit 2 and changes nothing', async () => {
    const before = (await triage('list', '--json')).lines.length;
    for (const args of [
      [],
      ['create'],
      ['rotate'],
      ['revoke'],
      ['revoke', 'xyz'],
      ['list', '--app', 'a'],
      ['create', '--app', 'a', '--scope', 'root'],
      ['list', '--scope', 'read'],
    ]) {
      const { code, errors } = await triage(...args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(errors).toEqual([expect.stringMatching(/^triage token( create| list| revoke)?: /)]);
    }
    expect((await triage('list', '--json')).lines.length).toBe(before);
  });
});
