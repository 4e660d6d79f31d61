import { parseTime } from '../event';

/**
 * Event time (epoch ms): `occurredAt` when it is a valid time, else `fallback` (the batch's receive time).
 * `parseTime` reads the layout every canonical event carries (`toISOString`) in integer arithmetic; the
 * queue message parser hands the engine these times already read (`EventBatch.times`), so this runs only
 * for batches made otherwise.
 */
export function eventTime(occurredAt: string | undefined, fallback: number): number {
  if (occurredAt === undefined) return fallback;
  return parseTime(occurredAt) ?? fallback;
}
