import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { extractFromLine } from '../../functions/core/extract/extract-line';
import { type CliIo, EXIT } from '../io';

export const usage =
  'extract                         log lines on stdin → one JSON line each: the extracted error or null';

/** Streams stdin line by line (never the whole input in memory), so it copes with 100 MB log files. */
export async function run(args: string[], io: CliIo): Promise<number> {
  parseArgs({ args, allowPositionals: false, options: {} });
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) io.out(JSON.stringify(extractFromLine(line) ?? null));
  return EXIT.ok;
}
