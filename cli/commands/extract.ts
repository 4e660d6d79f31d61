import { createInterface } from 'node:readline';
import { ConfigError } from '../../functions/core/errors';
import { type CountMode, counts } from '../../functions/core/extract/attribution';
import { extractFromLine } from '../../functions/core/extract/extract-line';
import { parseConfig } from '../../lib/config';
import { readConfigFile } from '../config-file';
import { type CliContext, type CliIo, EXIT, UsageError } from '../io';

export interface ExtractOptions {
  readonly config?: string;
  readonly logGroup?: string;
  /** One of COUNT_MODES (commander checks the choice). */
  readonly count?: CountMode;
  readonly explain?: boolean;
  readonly summary?: boolean;
  readonly json?: boolean;
}

/**
 * Which errors count: `--count`, else the log group's own mode in `--config` (`--log-group`), else the
 * config's `logCount`, else the deployed default.
 */
async function countMode(values: ExtractOptions, cwd: string): Promise<CountMode> {
  if (values.count !== undefined) return values.count;
  if (values.config === undefined) {
    if (values.logGroup !== undefined) throw new UsageError('--log-group needs --config FILE');
    return 'default';
  }
  const context = await readConfigFile(values.config, cwd);
  try {
    const config = parseConfig(context);
    const name = values.logGroup;
    if (name === undefined) return config.logCount;
    const group = config.logGroups.find((g) => g.name === name);
    if (!group) throw new UsageError(`--log-group ${name}: not among the logGroups of ${values.config}`);
    return group.count;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--config ${values.config}: ${error.message}`);
    throw error;
  }
}

interface Tally {
  lines: number;
  errors: number;
  counted: number;
  readonly byStatus: Map<number, { errors: number; counted: number }>;
  readonly byProvider: Map<string, number>;
}

function printSummary(tally: Tally, mode: CountMode, io: CliIo, json: boolean): void {
  const statuses = [...tally.byStatus].sort(([a], [b]) => a - b);
  if (json) {
    io.out(
      JSON.stringify({
        count: mode,
        lines: tally.lines,
        errors: tally.errors,
        counted: tally.counted,
        byStatus: Object.fromEntries(statuses),
        byProvider: Object.fromEntries(tally.byProvider),
      }),
    );
    return;
  }
  io.out(
    `${tally.lines} lines, ${tally.errors} errors found, ${tally.counted} counted (count mode "${mode}")`,
  );
  io.out('');
  io.out('status  errors  counted');
  for (const [status, { errors, counted }] of statuses)
    io.out(`${String(status).padEnd(6)}  ${String(errors).padStart(6)}  ${String(counted).padStart(7)}`);
  io.out('');
  io.out('provider   errors');
  for (const [provider, errors] of tally.byProvider)
    io.out(`${provider.padEnd(9)}  ${String(errors).padStart(6)}`);
}

/** Streams stdin line by line (never the whole input in memory), so it copes with 100 MB log files. */
export async function run(values: ExtractOptions, { io, cwd }: CliContext): Promise<number> {
  const mode = await countMode(values, cwd);
  const tally: Tally = { lines: 0, errors: 0, counted: 0, byStatus: new Map(), byProvider: new Map() };
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    tally.lines++;
    const extraction = extractFromLine(line);
    if (!extraction) {
      if (!values.summary) io.out('null');
      continue;
    }
    const counted = counts(extraction, mode);
    if (values.summary) {
      tally.errors++;
      if (counted) tally.counted++;
      const status = tally.byStatus.get(extraction.status) ?? { errors: 0, counted: 0 };
      status.errors++;
      if (counted) status.counted++;
      tally.byStatus.set(extraction.status, status);
      tally.byProvider.set(extraction.provider, (tally.byProvider.get(extraction.provider) ?? 0) + 1);
      continue;
    }
    const { evidence, llm, ...fields } = extraction;
    io.out(JSON.stringify({ ...fields, counted, ...(values.explain ? { llm: llm ?? null, evidence } : {}) }));
  }
  if (values.summary) printSummary(tally, mode, io, values.json === true);
  return EXIT.ok;
}
