import { createHash } from 'node:crypto';
import type { LogsPayload } from '../core/extract/logs-payload';

/**
 * The queue batch prefix of a payload: a hash of where it comes from and which log events it holds,
 * so a redelivered payload yields the same batch ids and the triage side drops the repeat.
 */
export function batchPrefixOf(payload: LogsPayload): string {
  const first = payload.logEvents[0]?.id ?? '';
  const last = payload.logEvents.at(-1)?.id ?? '';
  const hash = createHash('sha256')
    .update([payload.logGroup, payload.logStream, first, last].join('\n'))
    .digest('hex');
  return `logs-${hash.slice(0, 40)}`;
}
