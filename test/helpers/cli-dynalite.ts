import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CliIo } from '../../cli/io';
import { createStateTable } from './table';

// dynalite has no type declarations; it is started in process so CLI tests need no globalSetup.
const startDynalite = require('dynalite') as (options: object) => Server;

/** A CliIo that records what a command prints. */
export function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { stdin: Readable.from([]), out: (l) => lines.push(l), err: (l) => errors.push(l), lines, errors };
}

export interface CliTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** `--stack <file>` pointing the CLI at this table. */
  readonly stackArgs: string[];
  stop(): Promise<void>;
}

/** An in-process dynalite with a state table and a stack file naming it, for CLI commands that read it. */
export async function startCliTable(prefix: string): Promise<CliTable> {
  const server = startDynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { tableName, drop } = await createStateTable({ client, prefix });
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const stackFile = join(dir, 'stack.json');
  writeFileSync(
    stackFile,
    JSON.stringify({ region: 'us-east-1', tableName, endpoints: { dynamodb: endpoint } }),
  );
  return {
    client,
    tableName,
    stackArgs: ['--stack', stackFile],
    stop: async () => {
      await drop();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
