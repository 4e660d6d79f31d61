import {
  applyBatches,
  batchesByScope,
  markPublished,
  type PolicyConfig,
  type ScopeState,
  sweepScope,
} from '../../functions/core/policy';
import type { NotificationIntent } from '../../functions/core/policy/types';
import { parseQueueMessage } from '../../functions/core/queue-message';

/** What the storm must leave behind, whatever the order: each scope's total, and its notices by kind. */
export interface Expected {
  readonly totals: ReadonlyMap<string, number>;
  /** `${scopeKey} ${kind}` → how many notices of that kind. */
  readonly notices: ReadonlyMap<string, number>;
}

const noticeKey = (intent: NotificationIntent) => `${intent.scopeKey} ${intent.kind}`;

/**
 * The reference: the pure engine alone, one message at a time, in queue order, then one sweep two minutes
 * later — no I/O, no concurrency, no failures. The storm is built so that its outcome does not depend on the
 * order (a pinned processing time, no quiet gap, every event inside the windows).
 */
export function expectedOutcome(bodies: readonly string[], now: number, config: PolicyConfig): Expected {
  const states = new Map<string, ScopeState>();
  const notices = new Map<string, number>();
  const keep = (key: string, state: ScopeState | undefined, intents: readonly NotificationIntent[]) => {
    if (!state) return;
    for (const intent of intents) notices.set(noticeKey(intent), (notices.get(noticeKey(intent)) ?? 0) + 1);
    states.set(
      key,
      markPublished(
        state,
        intents.map((intent) => intent.notificationId),
      ),
    );
  };
  for (const body of bodies) {
    for (const [key, batch] of batchesByScope(parseQueueMessage(body), config)) {
      const update = applyBatches(key, states.get(key), [batch], now, config);
      keep(key, update.state, update.intents);
    }
  }
  const later = now + 2 * 60_000;
  for (const [key, state] of states) {
    if (state.nextDueAt !== undefined && state.nextDueAt <= later) {
      const update = sweepScope(state, later, config);
      keep(key, update.state, update.intents);
    }
  }
  return { totals: new Map([...states].map(([key, state]) => [key, state.total])), notices };
}

export interface Verdict {
  /** Events the reference counted that the stored scopes do not. */
  readonly lostEvents: number;
  readonly doubleCountedEvents: number;
  /** Distinct notifications beyond one per transition of the reference (a transition decided twice). */
  readonly duplicateNotifications: number;
  /** Transitions of the reference never published. */
  readonly lostNotifications: number;
  /** Publishes of a notification id already published (SNS is at-least-once; subscribers dedupe by id). */
  readonly republished: number;
  readonly scopes: number;
  readonly events: number;
}

/** Compare what a run stored and published with the reference. */
export function verdict(
  expected: Expected,
  stored: ReadonlyMap<string, { readonly total: number }>,
  published: readonly NotificationIntent[],
): Verdict {
  let lostEvents = 0;
  let doubleCountedEvents = 0;
  let events = 0;
  for (const [key, total] of expected.totals) {
    const got = stored.get(key)?.total ?? 0;
    events += total;
    if (got < total) lostEvents += total - got;
    else doubleCountedEvents += got - total;
  }
  for (const [key, state] of stored) if (!expected.totals.has(key)) doubleCountedEvents += state.total;

  const distinct = new Map<string, Set<string>>();
  for (const intent of published) {
    const ids = distinct.get(noticeKey(intent)) ?? new Set<string>();
    ids.add(intent.notificationId);
    distinct.set(noticeKey(intent), ids);
  }
  let duplicateNotifications = 0;
  let lostNotifications = 0;
  let distinctIds = 0;
  for (const [key, ids] of distinct) {
    distinctIds += ids.size;
    duplicateNotifications += Math.max(0, ids.size - (expected.notices.get(key) ?? 0));
  }
  for (const [key, count] of expected.notices) {
    lostNotifications += Math.max(0, count - (distinct.get(key)?.size ?? 0));
  }
  return {
    lostEvents,
    doubleCountedEvents,
    duplicateNotifications,
    lostNotifications,
    republished: published.length - distinctIds,
    scopes: expected.totals.size,
    events,
  };
}
