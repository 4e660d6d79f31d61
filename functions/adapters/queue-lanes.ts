import { ConfigError } from '../core/errors';
import type { ScopeState } from '../core/policy';
import { numberEnv, optionalEnv, requireEnv } from '../shared/env';
import type { EventQueueOptions, UrgentLane } from './event-queue';
import { OpenIncidents } from './open-incidents';
import type { StateRepository } from './state-repository';

/** The policy's default immediate statuses (docs/design.md, "Incidents": every 500 pages at once). */
const DEFAULT_URGENT_STATUSES = '500';

/**
 * The queue URLs a producer (ingest, logs) sends to, read once at cold start: `EVENTS_QUEUE_URL` (the bulk
 * lane), and when set, `URGENT_EVENTS_QUEUE_URL` with `URGENT_STATUSES` (comma-separated, the policy's
 * `incidents.immediateStatuses`, which the stack copies there) and `INCIDENT_QUIET_SECONDS` (the policy's
 * `incidents.resolveAfterQuietSeconds`: with a repository, it lets 500s of an open incident take the bulk
 * lane). A bad value is a ConfigError naming the variable.
 */
export function queueLanesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  /** With the state table: 500s of an incident already open take the bulk lane (OpenIncidents). */
  repository?: Pick<StateRepository<ScopeState>, 'getMany'>,
): Pick<EventQueueOptions, 'queueUrl' | 'urgent'> {
  const queueUrl = requireEnv('EVENTS_QUEUE_URL', env);
  const urgentUrl = optionalEnv('URGENT_EVENTS_QUEUE_URL', '', env);
  if (urgentUrl === '') return { queueUrl };
  const statuses = parseStatuses(optionalEnv('URGENT_STATUSES', DEFAULT_URGENT_STATUSES, env));
  const quietSeconds = numberEnv('INCIDENT_QUIET_SECONDS', 0, { min: 0, max: 7 * 24 * 3600 }, env);
  const open = repository && quietSeconds > 0 ? new OpenIncidents({ repository, quietSeconds }) : undefined;
  const urgent: UrgentLane = {
    queueUrl: urgentUrl,
    statuses,
    ...(open ? { stillUrgent: (events) => open.stillUrgent(events) } : {}),
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
