import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StackFile } from '../../local/stack';

export interface StackProcess {
  readonly info: StackFile;
  /** Everything the stack printed so far (stdout + stderr). */
  output(): string;
  /** Switch the fault proxies (needs `faultControl`). */
  faults(state: { dynamodb?: 'up' | 'down'; sns?: 'up' | 'down' }): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');

/**
 * Start `npm start` as a user would (a child process running local/start.ts), on a free port, with its
 * own stack file and data folder, and wait until it has written the stack file.
 */
export async function startStackProcess(
  options: {
    config?: unknown;
    faultControl?: boolean;
    sweepSeconds?: number;
    visibilitySeconds?: number;
    dataDir?: string;
    timeoutMs?: number;
    /** Powertools log level of the handlers (default ERROR, or E2E_LOG_LEVEL). */
    logLevel?: string;
    /** `--pagerduty-url`: run the PagerDuty forwarder against this URL. */
    pagerDutyUrl?: string;
  } = {},
): Promise<StackProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'triage-e2e-'));
  const stackFile = join(dir, 'stack.json');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(options.config ?? {}));
  const args = [
    join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
    '--import',
    './local/middy-require.mjs',
    // The handlers' AWS calls are recorded beside this test file's (test/iam).
    ...(process.env.AWS_CALLS_FILE ? ['--import', './test/helpers/aws-calls/preload.ts'] : []),
    join(ROOT, 'local/start.ts'),
    '--config',
    configFile,
    '--stack-file',
    stackFile,
    '--sweep-seconds',
    String(options.sweepSeconds ?? 1),
    '--visibility-seconds',
    String(options.visibilitySeconds ?? 2),
    ...(options.faultControl ? ['--fault-control'] : []),
    ...(options.dataDir ? ['--data', options.dataDir] : []),
    ...(options.pagerDutyUrl ? ['--pagerduty-url', options.pagerDutyUrl] : []),
  ];
  let output = '';
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.E2E_LOG_LEVEL ?? 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!existsSync(stackFile)) {
    if (child.exitCode !== null) throw new Error(`local stack exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local stack did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(stackFile, 'utf8')) as StackFile;
  const base = new URL(info.webhookUrl).origin;
  return {
    info,
    output: () => output,
    async faults(state) {
      const response = await fetch(`${base}/_local/faults`, { method: 'POST', body: JSON.stringify(state) });
      if (!response.ok) throw new Error(`fault control answered ${response.status}`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
