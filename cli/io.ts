/** What a command may touch: streams and exit codes come in, so commands are testable in process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** What a command reads from the world besides its options: all of it injectable for tests. */
export interface CliContext {
  readonly io: CliIo;
  /** Where TRIAGE_TOKEN and AWS_REGION are read (default: process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `.local/stack.json` and relative files are looked for (default: the working directory). */
  readonly cwd: string;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  /** Aborting it stops a long-running command such as `tail` (default: SIGINT or SIGTERM). */
  readonly stop?: AbortSignal;
}

/** Exit codes: 0 ok, 1 failure while running, 2 bad usage or input. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const processIo: CliIo = {
  stdin: process.stdin,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
