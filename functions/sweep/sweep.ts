import type { ScheduledEvent } from 'aws-lambda';
import type { StateRepository } from '../adapters/state-repository';
import type { PolicyConfig, ScopeState } from '../core/policy';
import { sweepScope } from '../core/policy';
import type { NotificationIntent } from '../core/policy/types';
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
}

export interface SweepDependencies extends Omit<SweepDeps, 'logger' | 'metrics'>, StandardMiddlewareOptions {
  /** Processing time for the policy engine; Date.now unless a test pins it. */
  readonly clock?: () => number;
}

/** The sweep Lambda, run every minute by an EventBridge schedule. */
export function createSweepHandler(dependencies: SweepDependencies) {
  const deps: SweepDeps = {
    ...dependencies,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
  };
  const clock = dependencies.clock ?? Date.now;
  return withStandardMiddleware<ScheduledEvent, SweepSummary>(async () => {
    const summary = await sweepDueScopes(clock(), deps);
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
