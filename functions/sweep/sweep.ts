import type { ScheduledEvent } from 'aws-lambda';
import type { SilenceCache } from '../adapters/silence-store';
import type { StateRepository } from '../adapters/state-repository';
import type { PolicyConfig, ScopeState } from '../core/policy';
import { sweepScope } from '../core/policy';
import type { NotificationIntent } from '../core/policy/types';
import { recentlyExpired, withRuntimeSilences } from '../core/silences';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import {
  type DeliveryDeps,
  deliverIntents,
  errorMessage,
  type ScopeRepository,
  updateScope,
} from '../triage/scope-updates';

export interface SweepDeps extends DeliveryDeps {
  readonly repository: ScopeRepository & Pick<StateRepository<ScopeState>, 'dueScopes'>;
  readonly config: PolicyConfig;
  /** Scopes handled per run; the rest (oldest first) wait for the next minute. */
  readonly maxScopes?: number;
  /** Scopes handled at the same time. */
  readonly concurrency?: number;
  /** Silences expired early: the scopes they hold back are swept now, not at their old due time. */
  readonly released?: ReadonlySet<string>;
}

export interface SweepDependencies extends Omit<SweepDeps, 'logger' | 'metrics'>, StandardMiddlewareOptions {
  /** Processing time for the policy engine; Date.now unless a test pins it. */
  readonly clock?: () => number;
  /** Run-time silences, added to the config's. */
  readonly silences?: Pick<SilenceCache, 'current'>;
}

/** How long after an early expiry the sweep still looks for what it held (two schedule periods). */
export const RELEASE_LOOKBACK_MS = 2 * 60_000;

/** The sweep Lambda, run every minute by an EventBridge schedule. */
export function createSweepHandler(dependencies: SweepDependencies) {
  const deps: SweepDeps = {
    ...dependencies,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
  };
  const clock = dependencies.clock ?? Date.now;
  return withStandardMiddleware<ScheduledEvent, SweepSummary>(async () => {
    const now = clock();
    const silences = dependencies.silences ? await dependencies.silences.current(now) : [];
    const summary = await sweepDueScopes(now, {
      ...deps,
      config: withRuntimeSilences(deps.config, silences),
      released: recentlyExpired(silences, now, RELEASE_LOOKBACK_MS),
    });
    deps.logger.info('sweep finished', { ...summary });
    return summary;
  }, dependencies);
}

export interface SweepSummary {
  readonly due: number;
  readonly swept: number;
  readonly failed: number;
  readonly published: number;
  readonly rejected: number;
  readonly pending: number;
}

/**
 * One sweep run: every due scope gets its time-based transitions (digests, reminders, resolves), then
 * its whole outbox is published — the new intents and any older ones whose publish failed before.
 * One scope's failure is logged and counted and never stops the others.
 */
export async function sweepDueScopes(now: number, deps: SweepDeps): Promise<SweepSummary> {
  const due = await deps.repository.dueScopes(now, deps.maxScopes ?? 500);
  if (deps.released && deps.released.size > 0) {
    // Every open subject is in the due index; those held by a silence that just ended early are due now.
    const keys = new Set(due.map((scope) => scope.key));
    for (const scope of await deps.repository.dueScopes(Number.MAX_SAFE_INTEGER, deps.maxScopes ?? 500)) {
      const heldBy = scope.kind === 'counter' ? undefined : scope.current?.heldBy;
      if (heldBy !== undefined && deps.released.has(heldBy) && !keys.has(scope.key)) due.push(scope);
    }
  }
  let swept = 0;
  let failed = 0;
  let published = 0;
  let rejected = 0;
  let pending = 0;
  await forEachLimited(due, deps.concurrency ?? 8, async (scope) => {
    try {
      const { state, intents } = await updateScope(
        scope.key,
        scope,
        (current) => (current ? sweepScope(current, now, deps.config) : { intents: [] }),
        deps.repository,
      );
      swept++;
      if (!state) return;
      const delivery = await deliverIntents(state, outboxInOrder(state, intents), deps);
      published += delivery.published;
      rejected += delivery.rejected;
      pending += delivery.pending;
    } catch (error) {
      failed++;
      deps.metrics.addMetric('SweepFailures', MetricUnit.Count, 1);
      deps.logger.error('sweep of a scope failed; it stays due for the next run', {
        scopeKey: scope.key,
        error: errorMessage(error),
      });
    }
  });
  deps.metrics.addMetric('ScopesSwept', MetricUnit.Count, swept);
  return { due: due.length, swept, failed, published, rejected, pending };
}

/** Everything still unpublished: the outbox (older entries first), then any intent not yet in it. */
function outboxInOrder(state: ScopeState, intents: readonly NotificationIntent[]): NotificationIntent[] {
  const byId = new Map<string, NotificationIntent>();
  for (const intent of [...state.outbox, ...intents]) {
    if (!byId.has(intent.notificationId)) byId.set(intent.notificationId, intent);
  }
  return [...byId.values()];
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
