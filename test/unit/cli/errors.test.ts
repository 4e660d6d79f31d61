import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { explainAwsError, type StackTarget } from '../../../cli/stack-target';
import { captureIo } from '../../helpers/cli-dynalite';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const deployed: StackTarget = { kind: 'aws', source: 'cdk-outputs.json', region: 'eu-west-1', topics: {} };
const awsError = (name: string, message = 'from AWS') => Object.assign(new Error(message), { name });

describe('CLI errors a user can act on', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says the local stack is not running when its DynamoDB refuses the connection', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const stack = join(dir, 'stack.json');
    writeFileSync(
      stack,
      JSON.stringify({ region: 'us-east-1', tableName: 't', endpoints: { dynamodb: endpoint } }),
    );
    const io = captureIo();
    expect(await main(['token', 'list', '--stack', stack], io)).toBe(1);
    expect(io.errors).toEqual([
      `triage token list: cannot reach the local stack's DynamoDB at ${endpoint}: nothing is listening there — is \`npm start\` running? (${stack} is from the last one started)`,
    ]);
  }, 20_000);

  it('names a missing stack or outputs file and how to get one, with exit 2', async () => {
    const io = captureIo();
    expect(await main(['scopes', '--stack', 'nope.json'], io, { cwd: dir })).toBe(2);
    expect(await main(['scopes', '--outputs', 'nope.json'], io, { cwd: dir })).toBe(2);
    expect(io.errors).toEqual([
      `triage scopes: stack file ${join(dir, 'nope.json')} does not exist: start the local stack (\`npm start\` writes it) or pass the right --stack FILE`,
      `triage scopes: outputs file ${join(dir, 'nope.json')} does not exist: deploy with \`npx cdk deploy --outputs-file FILE\` or pass the right --outputs FILE`,
    ]);
  });

  it('names a missing config file in words', async () => {
    const io = captureIo();
    expect(await main(['simulate', '--config', 'missing.json'], io, { cwd: dir })).toBe(2);
    expect(await main(['extract', '--config', dir], io, { cwd: dir })).toBe(2);
    expect(io.errors).toEqual([
      'triage simulate: --config missing.json: no such file (check the path; relative paths start from the working directory)',
      `triage extract: --config ${dir}: is a directory, not a file`,
    ]);
  });

  it.each([
    ['CredentialsProviderError', /^no AWS credentials: set AWS_PROFILE, run `aws sso login`/],
    ['ExpiredTokenException', /^your AWS credentials have expired/],
    ['AccessDeniedException', /^your AWS identity is not allowed to do this/],
    [
      'ResourceNotFoundException',
      /^not found in eu-west-1: is the stack deployed there, and is cdk-outputs.json from its last deploy\? \(DynamoDB: from AWS\)$/,
    ],
  ])('explains %s from AWS', (name, message) => {
    const explained = explainAwsError(awsError(name), deployed, 'dynamodb') as Error;
    expect(explained.message).toMatch(message);
    expect(explained.cause).toMatchObject({ name });
  });

  it('leaves the errors callers handle themselves as they are', () => {
    const failed = awsError('ConditionalCheckFailedException');
    expect(explainAwsError(failed, deployed, 'dynamodb')).toBe(failed);
  });
});
