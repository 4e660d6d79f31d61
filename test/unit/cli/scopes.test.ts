import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';
import { createDocumentClient, StateRepository } from '../../../functions/adapters/state-repository';
import type { TriageEvent } from '../../../functions/core/event';
import { applyBatches, DEFAULT_POLICY, describeScope, type ScopeState } from '../../../functions/core/policy';
import { createStateTable } from '../../helpers/table';

// dynalite has no type declarations; it is started in process so this file needs no globalSetup.
const startDynalite = require('dynalite') as (options: object) => Server;

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { stdin: Readable.from([]), out: (l) => lines.push(l), err: (l) => errors.push(l), lines, errors };
}

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);

/** The record the engine makes of `events` at T0. */
function scopeOf(events: TriageEvent[]): ScopeState {
  const key = describeScope(events[0] as TriageEvent, DEFAULT_POLICY).key;
  return applyBatches(key, undefined, [{ batchId: key, receivedAt: T0, events }], T0, DEFAULT_POLICY)
    .state as ScopeState;
}

describe('triage scopes (dynalite)', () => {
  let server: Server;
  let dir: string;
  let drop: () => Promise<void>;
  let stackArgs: string[];
  const incident = scopeOf([{ id: 'a', status: 500, model: 'accounts/acme/models/m1' }]);
  const counter = scopeOf([
    { id: 'b', status: 429 },
    { id: 'c', status: 429 },
  ]);

  beforeAll(async () => {
    server = startDynalite({ createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    let tableName: string;
    ({ tableName, drop } = await createStateTable({ client, prefix: 'scopes-cli' }));
    const repository = new StateRepository<ScopeState>({
      tableName,
      documentClient: createDocumentClient(client),
    });
    await repository.save(incident, undefined);
    await repository.save(counter, undefined);
    await repository.markSettled(['fp-1'], T0);
    dir = mkdtempSync(join(tmpdir(), 'scopes-cli-'));
    const stackFile = join(dir, 'stack.json');
    writeFileSync(
      stackFile,
      JSON.stringify({ region: 'us-east-1', tableName, endpoints: { dynamodb: endpoint } }),
    );
    stackArgs = ['--stack', stackFile];
  });

  afterAll(async () => {
    await drop();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every scope record, decoded, sorted by key, without the settled markers', async () => {
    const io = captureIo();
    expect(await main(['scopes', ...stackArgs], io)).toBe(0);
    expect(io.lines[0]).toMatch(/^KEY\s+KIND\s+TOTAL\s+OPEN\s+LAST SEEN\s+NEXT DUE$/);
    expect(io.lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['count#429', 'counter', '2'],
      [incident.key, 'incident', '1'],
    ]);
    expect(io.lines[2]).toContain(`1 since ${new Date(T0).toISOString()}`);
  });

  it('prints the whole records as JSON lines, filtered to open ones', async () => {
    const io = captureIo();
    expect(await main(['scopes', '--open', '--json', ...stackArgs], io)).toBe(0);
    expect(io.lines.map((l) => JSON.parse(l) as ScopeState)).toEqual([incident]);
  });

  it('filters by kind and key prefix, and says so when nothing matches', async () => {
    const byKind = captureIo();
    await main(['scopes', '--kind', 'counter', '--json', ...stackArgs], byKind);
    expect(byKind.lines.map((l) => (JSON.parse(l) as ScopeState).key)).toEqual(['count#429']);
    const none = captureIo();
    expect(await main(['scopes', '--key', 'account#', ...stackArgs], none)).toBe(0);
    expect(none.lines).toEqual([]);
    expect(none.errors.join('\n')).toMatch(/no scopes in .* under "account#"/);
  });

  it('rejects an unknown kind with a usage error (exit 2)', async () => {
    const io = captureIo();
    expect(await main(['scopes', '--kind', 'incidents', ...stackArgs], io)).toBe(2);
    expect(io.errors.join('\n')).toContain('--kind must be one of incident, account-issue, counter');
  });
});
