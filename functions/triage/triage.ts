import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { StateRepository } from '../adapters/state-repository';
import { classify } from '../core/classify';
import type { PolicyConfig, ScopeState } from '../core/policy';
import { applyBatches, scopeKeysOf } from '../core/policy';
import { triageBreakdown } from '../core/policy/triage-breakdown';
import type { EventBatch } from '../core/policy/types';
import { parseQueueMessage } from '../core/queue-message';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import { type DeliveryDeps, deliverIntents, errorMessage, updateScope } from './scope-updates';

export interface TriageDeps extends DeliveryDeps {
  readonly repository: DeliveryDeps['repository'] & Pick<StateRepository<ScopeState>, 'getMany'>;
  readonly config: PolicyConfig;
}

export interface TriageDependencies
  extends Omit<TriageDeps, 'logger' | 'metrics'>,
    StandardMiddlewareOptions {
  /** Processing time for the policy engine; Date.now unless a test pins it. */
  readonly clock?: () => number;
}

/** The triage Lambda: SQS events queue → scope state → notifications, with partial batch failures. */
export function createTriageHandler(dependencies: TriageDependencies) {
  const deps: TriageDeps = {
    ...dependencies,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
  };
  const clock = dependencies.clock ?? Date.now;
  return withStandardMiddleware<SQSEvent, SQSBatchResponse>(
    async (event) => triageRecords(event.Records, clock(), deps),
    dependencies,
  );
}

/** One distinct batch of the invocation, with every SQS message that carried it (SQS may duplicate). */
interface ReceivedBatch {
  readonly batch: EventBatch;
  readonly messageIds: string[];
  readonly scopeKeys: readonly string[];
}

/**
 * Triage one SQS delivery. Records are grouped by scope rather than handled one by one, so a storm of
 * identical errors costs one conditional write per scope, not per event or per message (DESIGN §7) —
 * which is why this does not use Powertools' per-record BatchProcessor. Reports as failed: records that
 * do not parse (they reach the DLQ) and records touching a scope whose write finally failed (redelivery
 * is safe: the engine dedupes by batchId per scope).
 */
export async function triageRecords(
  records: readonly SQSRecord[],
  now: number,
  deps: TriageDeps,
): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const received = new Map<string, ReceivedBatch>();
  // Also keeps every invocation's metrics flush non-empty (the per-status counts are single metrics).
  deps.metrics.addMetric('QueueMessagesReceived', MetricUnit.Count, records.length);
  for (const record of records) {
    try {
      const batch = parseQueueMessage(record.body);
      const seen = received.get(batch.batchId);
      if (seen) seen.messageIds.push(record.messageId);
      else
        received.set(batch.batchId, {
          batch,
          messageIds: [record.messageId],
          scopeKeys: scopeKeysOf([batch], deps.config),
        });
    } catch (error) {
      deps.logger.error('queue message does not parse; it will go to the dead-letter queue', {
        messageId: record.messageId,
        error: errorMessage(error),
      });
      deps.metrics.addMetric('InvalidQueueMessages', MetricUnit.Count, 1);
      failed.add(record.messageId);
    }
  }

  const batchesByScope = new Map<string, EventBatch[]>();
  for (const { batch, scopeKeys } of received.values()) {
    for (const key of scopeKeys) {
      const batches = batchesByScope.get(key);
      if (batches) batches.push(batch);
      else batchesByScope.set(key, [batch]);
    }
  }

  const loaded = await deps.repository.getMany([...batchesByScope.keys()]);
  const failedScopes = new Set<string>();
  await Promise.all(
    [...batchesByScope].map(async ([key, batches]) => {
      try {
        const { state, intents } = await updateScope(
          key,
          loaded.get(key),
          (current) => applyBatches(key, current, batches, now, deps.config),
          deps.repository,
        );
        if (state && intents.length > 0) await deliverIntents(state, intents, deps);
      } catch (error) {
        failedScopes.add(key);
        deps.logger.error('scope update failed; its records will be redelivered', {
          scopeKey: key,
          error: errorMessage(error),
        });
      }
    }),
  );

  const triaged: EventBatch[] = [];
  for (const { batch, messageIds, scopeKeys } of received.values()) {
    if (scopeKeys.some((key) => failedScopes.has(key))) for (const id of messageIds) failed.add(id);
    else triaged.push(batch);
  }
  countTriaged(triaged, deps.metrics);
  logTriaged(triaged, deps.logger);
  const batchItemFailures: SQSBatchItemFailure[] = records
    .filter((record) => failed.has(record.messageId))
    .map((record) => ({ itemIdentifier: record.messageId }));
  return { batchItemFailures };
}

/**
 * ONE line per invocation with the per-(status, model, account, app) counts that the per-status counter
 * records do not keep. CloudWatch Logs Insights, e.g. errors by model and app over a day:
 * `filter message = "events triaged" | fields jsonParse(@message) as line | unnest line.counts into c
 *  | stats sum(c.n) by c.status, c.model, c.app`
 */
function logTriaged(batches: readonly EventBatch[], logger: TriageDeps['logger']): void {
  if (batches.length === 0) return;
  logger.info('events triaged', { ...triageBreakdown(batches) });
}

/** EventsTriaged by status and category, one EMF line per distinct pair; counted once the state is saved. */
function countTriaged(batches: readonly EventBatch[], metrics: Metrics): void {
  const counts = new Map<string, { status: string; category: string; count: number }>();
  for (const event of batches.flatMap((batch) => batch.events)) {
    const category = classify(event.status, event.message).category;
    const id = `${event.status}|${category}`;
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { status: String(event.status), category, count: 1 });
  }
  for (const { status, category, count } of counts.values()) {
    metrics
      .singleMetric()
      .addDimensions({ status, category })
      .addMetric('EventsTriaged', MetricUnit.Count, count);
  }
}
