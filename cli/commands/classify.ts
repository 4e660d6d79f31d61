import { classify, isHttpStatus } from '../../functions/core/classify';
import { type CliContext, EXIT, UsageError } from '../io';

export interface ClassifyOptions {
  readonly json?: boolean;
}

/** `triage classify <status> [message...]`. */
export function run(
  statusText: string,
  messageWords: readonly string[],
  options: ClassifyOptions,
  { io }: CliContext,
): number {
  const status = /^\d+$/.test(statusText) ? Number(statusText) : Number.NaN;
  if (!isHttpStatus(status)) {
    throw new UsageError(`status must be an integer HTTP status from 100 to 599, got "${statusText}"`);
  }
  const message = messageWords.length > 0 ? messageWords.join(' ') : undefined;
  const c = classify(status, message);
  if (options.json) {
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
