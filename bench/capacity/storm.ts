import type { TriageEvent } from '../../functions/core/event';
import { packEvents } from '../../functions/core/queue-message';
import { seededRandom } from '../fixtures/random';

/** Processing time of the whole run (pinned): every event of the storm happened in the 5 minutes before. */
export const STORM_NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const STORM_SPAN_MS = 5 * 60_000;

export const HOT_MODEL = 'accounts/fireworks/models/llama-v3p1-70b-instruct';
export const HOT_ACCOUNT = 'acme';

export interface StormShape {
  /** Queue messages (one 100-event POST each, as the ingest function writes them). */
  readonly messages: number;
  readonly eventsPerMessage: number;
  /** Distinct cold scopes: half persistent-incident scopes (502 per model), half account groups (401). */
  readonly coldScopes: number;
  /** Of each message's events: this share on the hot incident scope, the next on the hot account group. */
  readonly hotIncidentShare: number;
  readonly hotAccountShare: number;
}

/**
 * The issue's storm: one hot incident scope, one hot account group, a few hundred cold scopes. Each message
 * carries 70 events of the hot incident, 29 of the hot account group and one cold event (background noise
 * at a far lower rate than the storm), so an invocation of 100 messages touches ~85 of the 300 cold scopes
 * and each cold scope is written by about a quarter of the invocations.
 */
export const ISSUE_STORM: Omit<StormShape, 'messages'> = {
  eventsPerMessage: 100,
  coldScopes: 300,
  hotIncidentShare: 0.7,
  hotAccountShare: 0.29,
};

function coldEvent(scope: number, id: string, occurredAt: string): TriageEvent {
  return scope % 2 === 0
    ? { id, status: 502, model: `accounts/acme/models/cold-${scope}`, app: 'batch', occurredAt }
    : { id, status: 401, account: `cold-${scope}`, app: 'batch', occurredAt };
}

/** The storm's queue message bodies, as the bulk lane holds them (canonical events, one POST per message). */
export function stormBodies(shape: StormShape, seed = 22): string[] {
  const random = seededRandom(seed);
  const hotIncident = Math.round(shape.eventsPerMessage * shape.hotIncidentShare);
  const hotAccount = Math.round(shape.eventsPerMessage * shape.hotAccountShare);
  const bodies: string[] = [];
  for (let m = 0; m < shape.messages; m++) {
    const events: TriageEvent[] = [];
    for (let i = 0; i < shape.eventsPerMessage; i++) {
      const id = `e-${m}-${i}`;
      const occurredAt = new Date(
        STORM_NOW - STORM_SPAN_MS + Math.floor(random() * (STORM_SPAN_MS - 1000)),
      ).toISOString();
      if (i < hotIncident) events.push({ id, status: 503, model: HOT_MODEL, app: 'checkout', occurredAt });
      else if (i < hotIncident + hotAccount)
        events.push({ id, status: 402, account: HOT_ACCOUNT, app: 'checkout', occurredAt });
      else events.push(coldEvent(Math.floor(random() * shape.coldScopes), id, occurredAt));
    }
    bodies.push(...packEvents(events, { batchPrefix: `storm-${m}`, receivedAt: STORM_NOW - 1000 }));
  }
  return bodies;
}
