import { ConfigError } from '../core/errors';
import { type PagerDutyRouting, PagerDutyRoutingSchema } from '../core/pagerduty-event';
import { requireEnv } from '../shared/env';

/** PAGERDUTY_ROUTING: which topics and severities are forwarded (config `pagerDuty`), checked at cold start. */
export function readRouting(env: NodeJS.ProcessEnv = process.env): PagerDutyRouting {
  let json: unknown;
  try {
    json = JSON.parse(requireEnv('PAGERDUTY_ROUTING', env));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`PAGERDUTY_ROUTING is not JSON: ${(error as Error).message}`, [
      { path: 'PAGERDUTY_ROUTING', message: 'expected JSON text' },
    ]);
  }
  const parsed = PagerDutyRoutingSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      `PAGERDUTY_ROUTING: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      [{ path: 'PAGERDUTY_ROUTING', message: 'expected {"topics": [...], "severities": [...]}' }],
    );
  }
  return parsed.data;
}
