import { TriageError } from '../core/errors';
import type { PagerDutyEvent } from '../core/pagerduty-event';

/** PagerDuty's public Events API v2 endpoint (an EU account uses https://events.eu.pagerduty.com/v2/enqueue). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** PagerDuty refused the event for good (400 invalid event, or another 4xx than 429): do not retry it. */
export class PagerDutyRejectedError extends TriageError {
  override readonly name = 'PagerDutyRejectedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every attempt failed with 429, 5xx or a network error: worth trying again later. */
export class PagerDutyUnavailableError extends TriageError {
  override readonly name = 'PagerDutyUnavailableError';
}

export interface PagerDutyEventsOptions {
  readonly url?: string;
  /** Reads the routing key (Secrets Manager); called per send, so a rotated key is picked up. */
  readonly routingKey: () => Promise<string>;
  /** Attempts per send, the first included. @default 3 */
  readonly attempts?: number;
  /** Wait before the second attempt, doubled before each next one. @default 500 */
  readonly backoffMs?: number;
  /** Per request. @default 5000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Only PagerDuty's own words about a refused event reach a log: never the request (it holds the key). */
async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.filter((e) => typeof e === 'string') : [];
    return [typeof body.message === 'string' ? body.message : '', ...errors].filter(Boolean).join('; ');
  } catch {
    return '';
  }
}

/**
 * Sends Events API v2 events: 202 is done; 429, 5xx and network errors are retried with exponential
 * backoff (honouring Retry-After up to the backoff cap), then reported as PagerDutyUnavailableError;
 * any other answer is PagerDutyRejectedError, never retried.
 */
export class PagerDutyEvents {
  private readonly url: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PagerDutyEventsOptions) {
    this.url = options.url ?? PAGERDUTY_EVENTS_URL;
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(event: PagerDutyEvent): Promise<void> {
    const body = JSON.stringify({ routing_key: await this.options.routingKey(), ...event });
    let last = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await this.sleep(this.backoffMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await this.fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        last = `network error: ${(error as Error).message}`;
        continue;
      }
      if (response.status >= 200 && response.status < 300) return;
      const reason = await reasonOf(response);
      if (response.status !== 429 && response.status < 500) {
        throw new PagerDutyRejectedError(
          response.status,
          `PagerDuty rejected the ${event.event_action} event (${response.status})${reason ? `: ${reason}` : ''}`,
        );
      }
      last = `HTTP ${response.status}${reason ? `: ${reason}` : ''}`;
    }
    throw new PagerDutyUnavailableError(
      `PagerDuty did not take the ${event.event_action} event after ${this.attempts} attempts (${last})`,
    );
  }
}
