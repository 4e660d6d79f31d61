import { ConfigError } from '../core/errors';
import { optionalEnv, requireEnv } from '../shared/env';
import type { EventQueueOptions, UrgentLane } from './event-queue';

/** The policy's default immediate statuses (DESIGN §5: every 500 pages at once). */
export const DEFAULT_URGENT_STATUSES = '500';

/**
 * The queue URLs a producer (ingest, logs) sends to, read once at cold start: `EVENTS_QUEUE_URL` (the bulk
 * lane), and when set, `URGENT_EVENTS_QUEUE_URL` with `URGENT_STATUSES` (comma-separated, the policy's
 * `incidents.immediateStatuses`, which the stack copies there). A bad status list is a ConfigError naming it.
 */
export function queueLanesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<EventQueueOptions, 'queueUrl' | 'urgent'> {
  const queueUrl = requireEnv('EVENTS_QUEUE_URL', env);
  const urgentUrl = optionalEnv('URGENT_EVENTS_QUEUE_URL', '', env);
  if (urgentUrl === '') return { queueUrl };
  const urgent: UrgentLane = {
    queueUrl: urgentUrl,
    statuses: parseStatuses(optionalEnv('URGENT_STATUSES', DEFAULT_URGENT_STATUSES, env)),
  };
  return { queueUrl, urgent };
}

function parseStatuses(text: string): ReadonlySet<number> {
  const statuses = new Set<number>();
  for (const part of text.split(',')) {
    const status = Number(part.trim());
    if (!Number.isInteger(status) || status < 100 || status > 599 || part.trim() === '') {
      throw new ConfigError(
        `Environment variable URGENT_STATUSES must list HTTP statuses (100–599) separated by commas, got "${text}"`,
        [{ path: 'URGENT_STATUSES', message: 'expected statuses like "500" or "500,501"' }],
      );
    }
    statuses.add(status);
  }
  return statuses;
}
