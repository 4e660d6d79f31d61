import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IncidentHistory } from '../adapters/incident-history';
import type { Notifier } from '../adapters/notifier';
import { StateConflictError, type StateRepository } from '../adapters/state-repository';
import { resolvedIncidentView } from '../core/incidents';
import { markPublished, type ScopeState } from '../core/policy';
import type { NotificationIntent, ScopeUpdate } from '../core/policy/types';
import { countBy } from '../shared/metrics';

/**
 * The part of the repository both flows use: GetItem and PutItem, matching the IAM grants of both
 * functions (triage adds BatchGetItem, the sweep a Query on the due index).
 */
export type ScopeRepository = Pick<StateRepository<ScopeState>, 'get' | 'save'>;

/**
 * Reloads after a lost conditional write before the scope counts as failed (and its messages go back to the
 * queue). Measured with K concurrent handlers on one hot scope (docs/scaling.md): with 3 immediate reloads,
 * 30 of 43 invocations at K = 8 gave messages back.
 */
export const MAX_CONFLICT_RETRIES = 6;

/**
 * Wait before reloading a lost race: "full jitter" (a random time up to 10 ms × 2^attempt, at most 320 ms),
 * so writers that lost to the same winner spread out instead of all reloading and colliding again.
 */
export function conflictBackoff(attempt: number, random: () => number = Math.random): Promise<void> {
  const ms = random() * Math.min(10 * 2 ** attempt, 320);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ScopeUpdateResult {
  /** The scope as stored after the update (undefined only when it neither existed nor was created). */
  readonly state: ScopeState | undefined;
  /** Notifications the update decided on; they are in `state.outbox` until published. */
  readonly intents: readonly NotificationIntent[];
}

/**
 * Apply a change to one scope with optimistic locking: compute from the stored state, write it on
 * condition that nobody else did meanwhile, and on a lost race reload and compute again. `apply` must
 * be idempotent (the engine dedupes by batchId), so computing twice never counts twice.
 */
export async function updateScope(
  key: string,
  loaded: ScopeState | undefined,
  apply: (state: ScopeState | undefined) => ScopeUpdate<ScopeState>,
  repository: ScopeRepository,
  pause: (attempt: number) => Promise<void> = conflictBackoff,
): Promise<ScopeUpdateResult> {
  let current = loaded;
  for (let attempt = 0; ; attempt++) {
    const update = apply(current);
    if (!update.state) return { state: current, intents: [] };
    try {
      await repository.save(update.state, current?.version);
      return { state: update.state, intents: update.intents };
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      await pause(attempt);
      current = await repository.get(key);
    }
  }
}

export interface DeliveryDeps {
  readonly repository: ScopeRepository;
  readonly notifier: Pick<Notifier, 'publish'>;
  /** Where resolved incidents are kept for the read API (absent: not kept). */
  readonly history?: Pick<IncidentHistory, 'record'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface DeliveryResult {
  readonly published: number;
  /** Intents SNS refused outright (invalid parameters): dropped from the outbox, logged and counted. */
  readonly rejected: number;
  /** Intents left in the outbox for the sweep to retry. */
  readonly pending: number;
}

/** SNS errors that retrying the same message can never fix. */
const PERMANENT_PUBLISH_ERRORS = new Set(['InvalidParameterException', 'InvalidParameterValueException']);

/**
 * Publish `intents` of a stored scope in order, then remove the published ones from its outbox. A
 * failed publish stops the scope's delivery (so "resolved" never overtakes "opened"); what is left
 * stays in the durable outbox, which the sweep retries. A message SNS refuses as invalid is dropped
 * instead (logged as an error and counted), or it would block the scope's later notices forever.
 * Never throws: the state is already safe.
 */
export async function deliverIntents(
  state: ScopeState,
  intents: readonly NotificationIntent[],
  deps: DeliveryDeps,
): Promise<DeliveryResult> {
  await recordResolved(intents, deps);
  const done: string[] = [];
  let rejected = 0;
  for (const intent of intents) {
    const context = { scopeKey: state.key, notificationId: intent.notificationId, kind: intent.kind };
    try {
      await deps.notifier.publish(intent);
      done.push(intent.notificationId);
      countBy(deps.metrics, 'NotificationsPublished', 'kind', intent.kind);
    } catch (error) {
      if (error instanceof Error && PERMANENT_PUBLISH_ERRORS.has(error.name)) {
        rejected++;
        done.push(intent.notificationId);
        deps.metrics.addMetric('NotificationsRejected', MetricUnit.Count, 1);
        deps.logger.error('SNS rejected the notification as invalid; dropping it', {
          ...context,
          error: errorMessage(error),
        });
        continue;
      }
      deps.metrics.addMetric('PublishFailures', MetricUnit.Count, 1);
      deps.logger.warn('publish failed; the notification stays in the outbox for the sweep', {
        ...context,
        error: errorMessage(error),
      });
      break;
    }
  }
  if (done.length > 0) await recordPublished(state, done, deps);
  return { published: done.length - rejected, rejected, pending: intents.length - done.length };
}

/**
 * Keep each resolve in the incident history before it is published, so the read API lists it even while
 * SNS is down. A put of the same resolve again (an outbox retry) writes the same item. A failure loses
 * only that history entry, never the notification.
 */
async function recordResolved(intents: readonly NotificationIntent[], deps: DeliveryDeps): Promise<void> {
  if (!deps.history) return;
  for (const intent of intents) {
    const view = resolvedIncidentView(intent);
    if (!view) continue;
    try {
      await deps.history.record(view, Date.parse(intent.at));
    } catch (error) {
      deps.metrics.addMetric('HistoryWriteFailures', MetricUnit.Count, 1);
      deps.logger.warn('could not keep the resolved incident in the history', {
        subjectId: view.subjectId,
        error: errorMessage(error),
      });
    }
  }
}

/** Drop published ids from the outbox; if the scope moved on meanwhile, drop them from the newer state. */
async function recordPublished(state: ScopeState, ids: readonly string[], deps: DeliveryDeps): Promise<void> {
  try {
    await updateScope(
      state.key,
      state,
      (current) => {
        const next = current && markPublished(current, ids);
        // Unchanged when none of them is in the outbox any more: nothing to write.
        return { ...(next && next !== current ? { state: next } : {}), intents: [] };
      },
      deps.repository,
    );
  } catch (error) {
    // Not fatal: the sweep publishes them again under the same notificationId, which subscribers dedupe.
    deps.logger.warn('could not record published notifications; they may be sent again', {
      scopeKey: state.key,
      notificationIds: ids,
      error: errorMessage(error),
    });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
