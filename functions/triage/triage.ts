import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SilenceCache } from '../adapters/silence-store';
import type { StateRepository } from '../adapters/state-repository';
import type { PolicyConfig, ScopeState } from '../core/policy';
import { applyBatches, batchesByScope, batchFingerprint, rememberedFingerprints } from '../core/policy';
import { triageBreakdown } from '../core/policy/triage-breakdown';
import { triagedCounts } from '../core/policy/triaged-counts';
import type { EventBatch } from '../core/policy/types';
import { withRuntimeSilences } from '../core/silences';
import { logger as sharedLogger } from '../shared/logger';
import { MetricUnit, metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withStandardMiddleware } from '../shared/middleware';
import { forwardRecords, type ScopeLaneForwarding } from './forward';
import { parseRecord } from './records';
import {
  type DeliveryDeps,
  deliverIntents,
  errorMessage,
  type ScopeRepository,
  updateScope,
} from './scope-updates';
import { SettledBatches } from './settled-batches';

export interface TriageDeps extends DeliveryDeps {
  readonly repository: DeliveryDeps['repository'] &
    Pick<StateRepository<ScopeState>, 'getMany' | 'settledAmong' | 'markSettled'>;
  readonly config: PolicyConfig;
  /** The container's view of the settled markers; a fresh one (nothing known) when not given. */
  readonly settledBatches?: SettledBatches;
}

export interface TriageDependencies
  extends Omit<TriageDeps, 'logger' | 'metrics'>,
    StandardMiddlewareOptions {
  /** Processing time for the policy engine; Date.now unless a test pins it. */
  readonly clock?: () => number;
  /** Run-time silences, added to the config's. */
  readonly silences?: Pick<SilenceCache, 'current'>;
  /** With `scopeLane.enabled`: the bulk lane's messages are split and forwarded to the scope lane. */
  readonly scopeLane?: ScopeLaneForwarding;
}

/** The triage Lambda: SQS events queue → scope state → notifications, with partial batch failures. */
export function createTriageHandler(dependencies: TriageDependencies) {
  const deps: TriageDeps = {
    ...dependencies,
    logger: dependencies.logger ?? sharedLogger,
    metrics: dependencies.metrics ?? sharedMetrics,
    // One per container: what it learns about settled batches saves reads in its later invocations.
    settledBatches: dependencies.settledBatches ?? new SettledBatches(dependencies.repository),
  };
  const clock = dependencies.clock ?? Date.now;
  const forwarding = dependencies.scopeLane;
  return withStandardMiddleware<SQSEvent, SQSBatchResponse>(async (event) => {
    // One event source mapping per queue: every record of an invocation comes from the same queue.
    if (forwarding && event.Records[0]?.eventSourceARN === forwarding.fromQueueArn) {
      return forwardRecords(event.Records, forwarding, deps);
    }
    const now = clock();
    const silences = dependencies.silences ? await dependencies.silences.current(now) : [];
    return triageRecords(event.Records, now, { ...deps, config: withRuntimeSilences(deps.config, silences) });
  }, dependencies);
}

/** One distinct batch of the invocation, with every SQS message that carried it (SQS may duplicate). */
interface ReceivedBatch {
  readonly batch: EventBatch;
  /** `batchFingerprint(batch.batchId)`: what scopes remember and what its settled marker is keyed by. */
  readonly fingerprint: string;
  readonly messageIds: string[];
  /** Its events per scope key, each scope's as a batch of its own. */
  readonly byScope: ReadonlyMap<string, EventBatch>;
}

/**
 * Triage one SQS delivery. Records are grouped by scope rather than handled one by one, so a storm of
 * identical errors costs one conditional write per scope, not per event or per message (docs/design.md, "Exactly once") —
 * which is why this does not use Powertools' per-record BatchProcessor. Reports as failed: records that
 * do not parse (they reach the DLQ) and records touching a scope whose write finally failed.
 *
 * Scopes are read and written in waves, contended ones first (`scopeWaves`). Exactly once (the argument is
 * in core/policy/recent-batches.ts): in each wave the scopes are read, THEN the settled markers of the
 * messages touching them and of every batch they remember; a settled message is acknowledged without being
 * applied, the scopes forget settled batches as they are written, and once every scope of a message is
 * saved its marker is written.
 */
export async function triageRecords(
  records: readonly SQSRecord[],
  now: number,
  deps: TriageDeps,
): Promise<SQSBatchResponse> {
  const markers = deps.settledBatches ?? new SettledBatches(deps.repository);
  const failed = new Set<string>();
  const received = new Map<string, ReceivedBatch>();
  // Also keeps every invocation's metrics flush non-empty (the per-status counts are single metrics).
  deps.metrics.addMetric('QueueMessagesReceived', MetricUnit.Count, records.length);
  for (const record of records) {
    const batch = parseRecord(record, failed, deps);
    if (!batch) continue;
    const seen = received.get(batch.batchId);
    if (seen) seen.messageIds.push(record.messageId);
    else
      received.set(batch.batchId, {
        batch,
        fingerprint: batchFingerprint(batch.batchId),
        messageIds: [record.messageId],
        byScope: batchesByScope(batch, deps.config),
      });
  }

  // Which messages touch each scope, in order of first appearance.
  const touching = new Map<string, ReceivedBatch[]>();
  for (const message of received.values()) {
    for (const key of message.byScope.keys()) {
      const messages = touching.get(key);
      if (messages) messages.push(message);
      else touching.set(key, [message]);
    }
  }

  const settled = new Set<string>();
  const failedScopes = new Set<string>();
  // The messages to apply: known once the first wave has read the markers.
  let pending: ReadonlySet<ReceivedBatch> | undefined;
  const batchesOf = (key: string): EventBatch[] =>
    (touching.get(key) ?? [])
      .filter((message) => pending?.has(message))
      .map(({ byScope }) => byScope.get(key) as EventBatch);
  const repository = rereadingSettled(deps.repository, markers, settled, (key) =>
    batchesOf(key).map(({ batchId }) => batchFingerprint(batchId)),
  );
  for (const wave of scopeWaves(touching)) {
    const loaded = await deps.repository.getMany(wave.keys, { consistent: wave.contended });
    // Read after the scopes: a batch a scope forgot was settled before that scope was written. The first
    // wave also reads the markers of every message, to acknowledge the settled ones without applying them.
    const asked = pending ? wave.keys.flatMap((key) => touching.get(key) ?? []) : [...received.values()];
    const unknown = [
      ...asked.map(({ fingerprint }) => fingerprint),
      ...[...loaded.values()].flatMap(rememberedOf),
    ];
    for (const fingerprint of await markers.among(
      unknown.filter((fingerprint) => !settled.has(fingerprint)),
    )) {
      settled.add(fingerprint);
    }
    pending ??= new Set([...received.values()].filter((message) => !skipIfSettled(message, settled, deps)));
    await Promise.all(
      wave.keys.map(async (key) => {
        const batches = batchesOf(key);
        if (batches.length === 0) return;
        try {
          const { state, intents } = await updateScope(
            key,
            loaded.get(key),
            (current) => applyBatches(key, current, batches, now, deps.config, { settled }),
            repository,
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
  }

  const triaged: EventBatch[] = [];
  const saved: string[] = [];
  for (const { batch, fingerprint, messageIds, byScope } of pending ?? []) {
    if ([...byScope.keys()].some((key) => failedScopes.has(key))) for (const id of messageIds) failed.add(id);
    else if (!settled.has(fingerprint)) {
      triaged.push(batch);
      saved.push(fingerprint);
    }
    // else a concurrent copy settled it meanwhile: it has its marker, and that copy counted its events.
  }
  await markSettled(saved, now, markers, deps);
  countTriaged(triaged, deps.metrics);
  logTriaged(triaged, deps.logger);
  const batchItemFailures: SQSBatchItemFailure[] = records
    .filter((record) => failed.has(record.messageId))
    .map((record) => ({ itemIdentifier: record.messageId }));
  return { batchItemFailures };
}

/**
 * A scope that at least this many messages of one invocation touch is, in a storm, one that every
 * invocation in flight touches too (docs/scaling.md, "Contended scopes").
 */
export const CONTENDED_SCOPE_MESSAGES = 10;

interface ScopeWave {
  readonly keys: string[];
  /**
   * Read strongly consistent: a stale copy of a scope other invocations are writing is a lost race for
   * sure. The others are read eventually consistent (half the read units): every scope write is conditional
   * on the version read, so a stale copy only loses its race and is reloaded strongly consistent.
   */
  readonly contended: boolean;
}

/**
 * The order scopes are read and written in. Contended scopes go first and alone: their conditional write
 * races every other invocation in flight, and the time from their read to their write — the race window —
 * is then two round trips and their own computing, not the reads, computing and writes of every scope the
 * invocation touches (docs/scaling.md, "Contended scopes"). The other scopes follow in one wave.
 */
export function scopeWaves(touching: ReadonlyMap<string, readonly unknown[]>): ScopeWave[] {
  const contended: string[] = [];
  const rest: string[] = [];
  for (const [key, messages] of touching) {
    (messages.length >= CONTENDED_SCOPE_MESSAGES ? contended : rest).push(key);
  }
  const waves: ScopeWave[] = [];
  if (contended.length > 0) waves.push({ keys: contended, contended: true });
  // Always one wave at least: the markers of an invocation's messages are read in the first.
  if (rest.length > 0 || waves.length === 0) waves.push({ keys: rest, contended: false });
  return waves;
}

function rememberedOf(state: ScopeState): string[] {
  // Records written before recentBatches was a string remember nothing the engine still reads.
  return typeof state.recentBatches === 'string' ? rememberedFingerprints(state.recentBatches) : [];
}

/** A message already saved in every scope it touched is acknowledged without being applied again. */
function skipIfSettled(message: ReceivedBatch, settled: ReadonlySet<string>, deps: TriageDeps): boolean {
  if (!settled.has(message.fingerprint)) return false;
  deps.metrics.addMetric('RedeliveriesSkipped', MetricUnit.Count, message.messageIds.length);
  deps.logger.info('message already settled; acknowledged without applying it again', {
    messageIds: message.messageIds,
    batchId: message.batch.batchId,
  });
  return true;
}

/**
 * The repository as `updateScope` sees it: a scope reloaded after a lost race is followed by a fresh read
 * of the markers of what it remembers and of what is about to be applied to it (`candidates`): a concurrent
 * copy of a message may have settled it, and the scope forgotten it, since the first read. `settled` only
 * grows.
 */
function rereadingSettled(
  repository: TriageDeps['repository'],
  markers: SettledBatches,
  settled: Set<string>,
  candidates: (key: string) => readonly string[],
): ScopeRepository {
  return {
    save: (state, expectedVersion) => repository.save(state, expectedVersion),
    get: async (key) => {
      const state = await repository.get(key);
      const unknown = [...candidates(key), ...(state ? rememberedOf(state) : [])].filter(
        (fingerprint) => !settled.has(fingerprint),
      );
      for (const fingerprint of await markers.among(unknown)) settled.add(fingerprint);
      return state;
    },
  };
}

/** Not a record failure when it fails: until a marker exists, every scope still remembers its batch. */
async function markSettled(
  fingerprints: readonly string[],
  now: number,
  markers: SettledBatches,
  deps: TriageDeps,
): Promise<void> {
  if (fingerprints.length === 0) return;
  try {
    await markers.mark(fingerprints, now);
  } catch (error) {
    deps.metrics.addMetric('SettledMarkerFailures', MetricUnit.Count, fingerprints.length);
    deps.logger.warn('could not mark messages settled; their scopes keep remembering them', {
      fingerprints,
      error: errorMessage(error),
    });
  }
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
  for (const { status, category, count } of triagedCounts(batches)) {
    metrics
      .singleMetric()
      .addDimensions({ status, category })
      .addMetric('EventsTriaged', MetricUnit.Count, count);
  }
}
