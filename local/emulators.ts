import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(__filename);

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: () => void): void;
  address(): { port: number };
  once(event: 'error', listener: (error: Error) => void): void;
}

export interface Emulators {
  readonly dynamodb: string;
  /** fauxqs serves SNS and SQS on one endpoint. */
  readonly snsSqs: string;
  stop(): Promise<void>;
}

/**
 * Start dynalite (DynamoDB) and fauxqs (SNS + SQS) on 127.0.0.1, free ports, in this process.
 * With `dataDir` both keep their state on disk, so a restart finds tables, queues and messages again.
 */
export async function startEmulators(options: {
  readonly region: string;
  readonly dataDir?: string;
}): Promise<Emulators> {
  const dynamoPath = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
  const queuesPath = options.dataDir ? join(options.dataDir, 'sns-sqs') : undefined;
  for (const dir of [dynamoPath, queuesPath]) if (dir) mkdirSync(dir, { recursive: true });

  const dynalite: DynaliteServer = require('dynalite')({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dynamoPath ? { path: dynamoPath } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    dynalite.once('error', reject);
    dynalite.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
  });
  // fauxqs is ESM-only: load it with a real dynamic import.
  const { startFauxqs } = (await import('fauxqs')) as typeof import('fauxqs');
  const fauxqs = await startFauxqs({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    defaultRegion: options.region,
    ...(queuesPath ? { dataDir: queuesPath } : {}),
  });
  return {
    dynamodb: `http://127.0.0.1:${dynalite.address().port}`,
    snsSqs: fauxqs.address,
    async stop() {
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynalite.close(() => resolve()));
    },
  };
}
