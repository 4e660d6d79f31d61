import type { TriageEvent } from '../core/event';
import type { ScopeState } from '../core/policy';
import { keyPart } from '../core/policy/scope-key';
import type { StateRepository } from './state-repository';

/** How long a look at an incident record is trusted before it is read again. */
export const OPEN_INCIDENT_CACHE_MS = 30_000;
/**
 * Safety margin before an incident could resolve: an event is routed to the bulk lane only while the
 * incident's last error is at least this much younger than the quiet period that resolves it, so a bulk
 * window (≤ 5 minutes) plus a stale cache can never let it resolve before the event is counted in it.
 */
export const RESOLVE_MARGIN_MS = 6 * 60_000;
const MAX_CACHED = 1000;

/** The immediate rule's scope key of an event (core/policy/scope-key.ts; a test pins them equal). */
export function immediateScopeKey(event: Pick<TriageEvent, 'model' | 'endpoint'>): string {
  if (event.model !== undefined) return `incident#immediate#model#${keyPart(event.model)}`;
  if (event.endpoint !== undefined) return `incident#immediate#endpoint#${keyPart(event.endpoint)}`;
  return 'incident#immediate#unknown';
}

export interface OpenIncidentsOptions {
  readonly repository: Pick<StateRepository<ScopeState>, 'getMany'>;
  /** The policy's `incidents.resolveAfterQuietSeconds`. */
  readonly quietSeconds: number;
  readonly clock?: () => number;
}

/**
 * Which urgent-status events still need the urgent lane. An event that pages at once (a 500) is urgent
 * only while its incident is not open: once support has been told, further 500s of the same model only
 * add to the incident's count, which the bulk lane does as well, a minute later, at a fraction of the cost
 * (the urgent lane costs a queue message, an invocation, a marker and a write per touched scope for every
 * request). Open means: announced, and its last error recent enough that it cannot resolve before the bulk
 * lane counts the event (RESOLVE_MARGIN_MS). Each container reads the incident records (eventually
 * consistent, half a read unit each) at most every OPEN_INCIDENT_CACHE_MS; any doubt — no record, a read
 * that failed, a silence holding the opening back — keeps the event urgent. Routing never changes what is
 * counted: each event still goes to exactly one lane.
 */
export class OpenIncidents {
  readonly #repository: OpenIncidentsOptions['repository'];
  readonly #openForMs: number;
  readonly #clock: () => number;
  /** Scope key → until when (processing time) its events may take the bulk lane, and when that was read. */
  readonly #cache = new Map<string, { readonly until: number; readonly readAt: number }>();

  constructor(options: OpenIncidentsOptions) {
    this.#repository = options.repository;
    this.#openForMs = options.quietSeconds * 1000 - RESOLVE_MARGIN_MS;
    this.#clock = options.clock ?? Date.now;
  }

  /** For each event (all of urgent status): true when it must take the urgent lane. */
  async stillUrgent(events: readonly TriageEvent[]): Promise<boolean[]> {
    const now = this.#clock();
    const keys = events.map(immediateScopeKey);
    if (this.#openForMs <= 0) return keys.map(() => true);
    const stale = [...new Set(keys)].filter((key) => {
      const cached = this.#cache.get(key);
      return !cached || now - cached.readAt >= OPEN_INCIDENT_CACHE_MS;
    });
    if (stale.length > 0) await this.#read(stale, now);
    return keys.map((key) => !((this.#cache.get(key)?.until ?? 0) > now));
  }

  async #read(keys: readonly string[], now: number): Promise<void> {
    let found: Map<string, ScopeState>;
    try {
      found = await this.#repository.getMany(keys, { consistent: false });
    } catch {
      return; // Unknown: the events stay urgent.
    }
    if (this.#cache.size + keys.length > MAX_CACHED) this.#cache.clear();
    for (const key of keys) {
      const state = found.get(key);
      const subject = state?.kind === 'incident' ? state.current : undefined;
      const until = subject?.announced ? subject.lastSeen + this.#openForMs : 0;
      this.#cache.set(key, { until, readAt: now });
    }
  }
}
