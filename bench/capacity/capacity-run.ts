import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, StateRepository } from '../../functions/adapters/state-repository';
import { batchesByScope, type PolicyConfig, type ScopeState } from '../../functions/core/policy';
import { parseQueueMessage } from '../../functions/core/queue-message';
import { ensureTable } from '../../local/resources';
import { RequestCounter } from '../lib/request-counter';
import { type ConcurrentRunResult, runConcurrentTriage } from './concurrent-triage';
import { runScopeLaneTriage, type ScopeLaneRunResult } from './scope-lane-run';
import { HOT_ACCOUNT, HOT_MODEL, STORM_NOW } from './storm';
import { type Expected, expectedOutcome, type Verdict, verdict } from './verify';

/** One K's figures: the run's own (write counts flattened into ratios) and the verdict on its outcome. */
export interface CapacityRow extends Verdict, Omit<ConcurrentRunResult, 'all' | 'hot' | 'published'> {
  readonly scopeWrites: number;
  readonly conflictsPerWrite: number;
  readonly hotScopeWrites: number;
  readonly hotScopeConflictsPerWrite: number;
  /** Mean race window of a hot-scope write (its read to its write), and mean wall time of an invocation. */
  readonly hotScopeWindowMs: number;
  readonly invocationMs: number;
  /** Distinct events counted per second of the run's wall time (K handlers at once). */
  readonly eventsPerSecond: number;
  /** CPU time of this process (the K handlers) during the run, and of the emulator when it is measured. */
  readonly handlerCpuMs: number;
  readonly emulatorCpuMs?: number;
  /** DynamoDB usage of the run in billed units (table and due-index writes, reads). */
  readonly dynamo: { readonly wru: number; readonly indexWru: number; readonly rru: number };
  /** The scope lane's own figures (design `scope-lane`); `invocations` are then the bulk lane's. */
  readonly lane?: {
    readonly invocations: number;
    readonly crashedInvocations: number;
    readonly partsQueued: number;
    readonly partsDeduplicated: number;
  };
}

export interface CapacityOptions {
  readonly ks: readonly number[];
  readonly bodies: readonly string[];
  readonly endpoint: string;
  readonly config: PolicyConfig;
  readonly batchSize: number;
  readonly crashEvery: number;
  readonly duplicateEvery: number;
  readonly requestLatencyMs: number;
  /** A fresh table per K; called with K. */
  readonly tableName: (k: number) => string;
  /** CPU milliseconds the emulator has used so far (when it runs in a process of its own). */
  readonly emulatorCpuMs?: () => number;
  /**
   * `shared` (default): K bulk-lane handlers write the scopes. `scope-lane`: K bulk-lane handlers forward to
   * the FIFO scope lane, and K lane handlers write the scopes, one batch per scope at a time.
   */
  readonly design?: 'shared' | 'scope-lane';
  /** Scope lane only: let duplicates past the FIFO queue's deduplication (see ScopeLaneRunOptions). */
  readonly fifoDeduplication?: boolean;
}

/** The storm's hot scope keys: the scopes of its hot model's 503s and its hot account's 402s. */
export function hotKeysOf(bodies: readonly string[], config: PolicyConfig): Set<string> {
  const first = bodies[0];
  if (first === undefined) return new Set();
  const keys = new Set<string>();
  for (const [key, batch] of batchesByScope(parseQueueMessage(first), config)) {
    const event = batch.events[0];
    if (event?.model === HOT_MODEL || event?.account === HOT_ACCOUNT) keys.add(key);
  }
  return keys;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Run the storm at each K on its own table and check every run against the reference. */
export async function measureCapacity(
  options: CapacityOptions,
  log: (line: string) => void = () => undefined,
): Promise<{ rows: CapacityRow[]; expected: Expected }> {
  const expected = expectedOutcome(options.bodies, STORM_NOW, options.config);
  const hotKeys = hotKeysOf(options.bodies, options.config);
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'capacity', secretAccessKey: 'capacity' },
  });
  const rows: CapacityRow[] = [];
  for (const k of options.ks) {
    const tableName = options.tableName(k);
    await ensureTable(client, tableName);
    const counter = new RequestCounter();
    const cpuBefore = process.cpuUsage();
    const emulatorBefore = options.emulatorCpuMs?.();
    const runOptions = {
      k,
      bodies: options.bodies,
      endpoint: options.endpoint,
      tableName,
      config: options.config,
      now: STORM_NOW,
      batchSize: options.batchSize,
      hotKeys,
      crashEvery: options.crashEvery,
      duplicateEvery: options.duplicateEvery,
      requestLatencyMs: options.requestLatencyMs,
      counter,
    };
    const run: ConcurrentRunResult & Partial<ScopeLaneRunResult> =
      options.design === 'scope-lane'
        ? await runScopeLaneTriage({
            ...runOptions,
            ...(options.fifoDeduplication !== undefined
              ? { fifoDeduplication: options.fifoDeduplication }
              : {}),
          })
        : await runConcurrentTriage(runOptions);
    const cpu = process.cpuUsage(cpuBefore);
    const emulatorCpuMs =
      emulatorBefore === undefined ? undefined : (options.emulatorCpuMs?.() ?? 0) - emulatorBefore;
    const repository = new StateRepository<ScopeState>({
      tableName,
      documentClient: createDocumentClient(client),
    });
    const stored = await repository.getMany([...expected.totals.keys()]);
    const check = verdict(expected, stored, run.published);
    const row: CapacityRow = {
      ...check,
      k,
      invocations: run.invocations,
      crashedInvocations: run.crashedInvocations,
      gaveBackInvocations: run.gaveBackInvocations,
      messagesGivenBack: run.messagesGivenBack,
      deadLettered: run.deadLettered,
      scopeWrites: run.all.writes,
      conflictsPerWrite: ratio(run.all.conflicts, run.all.writes),
      hotScopeWrites: run.hot.writes,
      hotScopeConflictsPerWrite: ratio(run.hot.conflicts, run.hot.writes),
      hotScopeWindowMs: ratio(run.hot.windowMs, run.hot.windows),
      invocationMs: ratio(run.handlerMs, run.invocations),
      retries: run.retries,
      wallMs: run.wallMs,
      handlerMs: run.handlerMs,
      eventsPerSecond: ratio(check.events, run.wallMs / 1000),
      handlerCpuMs: (cpu.user + cpu.system) / 1000,
      ...(emulatorCpuMs === undefined ? {} : { emulatorCpuMs }),
      dynamo: { wru: counter.dynamoWru, indexWru: counter.dynamoIndexWru, rru: counter.dynamoRru },
      ...(run.laneInvocations !== undefined
        ? {
            lane: {
              invocations: run.laneInvocations,
              crashedInvocations: run.laneCrashedInvocations ?? 0,
              partsQueued: run.partsQueued ?? 0,
              partsDeduplicated: run.partsDeduplicated ?? 0,
            },
          }
        : {}),
    };
    log(`  K=${k}: ${JSON.stringify(row)}`);
    rows.push(row);
  }
  return { rows, expected };
}
