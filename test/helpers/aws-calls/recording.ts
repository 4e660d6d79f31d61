import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Where `npm test` keeps the last recording of AWS calls (gitignored): one file per test file and process. */
export const RECORDING_DIR = resolve(__dirname, '../../../.aws-calls');

/** The resource a call targets: named by the environment variable that holds it, else by its own name. */
export interface RecordedResource {
  readonly env?: string;
  readonly name?: string;
  /** A DynamoDB index (Query on a GSI). */
  readonly index?: string;
  /** The partition keys a DynamoDB call names (what `dynamodb:LeadingKeys` conditions test). */
  readonly leadingKeys?: readonly string[];
}

export interface RecordedCall {
  /** The invocation's function name (`ingest`, `triage`…). */
  readonly function: string;
  /** The IAM-style action, from the SDK command (`dynamodb:PutItem`, `sqs:SendMessageBatch`). */
  readonly action: string;
  readonly resource: RecordedResource;
}

/** The recording file of one test file (`process` adds a suffix: a child process the test started). */
export function recordingFile(testPath: string, process?: number): string {
  const name = relative(resolve(__dirname, '../../..'), testPath).replace(/[\\/]/g, '__');
  return join(RECORDING_DIR, `${name}${process === undefined ? '' : `.${process}`}.jsonl`);
}

/** Forget one test file's earlier recording (its own and its child processes'), before it records again. */
export function clearRecording(testPath: string): void {
  if (!existsSync(RECORDING_DIR)) return;
  const prefix = recordingFile(testPath)
    .slice(RECORDING_DIR.length + 1)
    .replace(/\.jsonl$/, '');
  for (const file of readdirSync(RECORDING_DIR)) {
    if (file === `${prefix}.jsonl` || (file.startsWith(`${prefix}.`) && file.endsWith('.jsonl')))
      rmSync(join(RECORDING_DIR, file), { force: true });
  }
}

/** Every call recorded so far, deduplicated; recordings of test files that no longer exist are ignored. */
export function readRecording(dir = RECORDING_DIR): RecordedCall[] {
  if (!existsSync(dir)) return [];
  const root = resolve(__dirname, '../../..');
  const lines = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const testFile = file.replace(/(\.\d+)?\.jsonl$/, '').replace(/__/g, '/');
    if (!existsSync(join(root, testFile))) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) if (line.trim()) lines.add(line);
  }
  return [...lines].map((line) => JSON.parse(line) as RecordedCall);
}
