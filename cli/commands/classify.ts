import { parseArgs } from 'node:util';
import { classify, isHttpStatus } from '../../functions/core/classify';
import { type CliIo, EXIT, UsageError } from '../io';

export const usage = 'classify <status> [message] [--json]   what a status means and how it is handled';

export function run(args: string[], io: CliIo): number {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const [statusText, ...messageWords] = positionals;
  if (statusText === undefined) throw new UsageError('classify needs a status, e.g. `triage classify 503`');
  const status = /^\d+$/.test(statusText) ? Number(statusText) : Number.NaN;
  if (!isHttpStatus(status)) {
    throw new UsageError(`status must be an integer HTTP status from 100 to 599, got "${statusText}"`);
  }
  const message = messageWords.length > 0 ? messageWords.join(' ') : undefined;
  const c = classify(status, message);
  if (values.json) {
    io.out(JSON.stringify(c));
    return EXIT.ok;
  }
  io.out(`${c.status} ${c.name}${c.subtype ? ` (${c.subtype})` : ''}`);
  io.out(`  possible issue: ${c.possibleIssue}`);
  io.out(`  resolution:     ${c.resolution}`);
  io.out(
    `  category: ${c.category}   severity: ${c.severity}   retryable: ${c.retryable ? 'yes' : 'no'}   route: ${c.route}${c.documented ? '' : '   (not in the documented table)'}`,
  );
  return EXIT.ok;
}
