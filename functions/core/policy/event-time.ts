import { parseTime } from '../event';

/** Event time (epoch ms): `occurredAt` when it is a valid time, else `fallback` (the batch's receive time). */
export function eventTime(occurredAt: string | undefined, fallback: number): number {
  if (occurredAt === undefined) return fallback;
  return parseTime(occurredAt) ?? fallback;
}
