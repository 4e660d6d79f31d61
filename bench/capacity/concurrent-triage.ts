import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  createDocumentClient,
  StateConflictError,
  StateRepository,
} from '../../functions/adapters/state-repository';
import type { PolicyConfig, ScopeState } from '../../functions/core/policy';
import type { NotificationIntent } from '../../functions/core/policy/types';
import { createSweepHandler } from '../../functions/sweep/sweep';
import type { ScopeLaneForwarding } from '../../functions/triage/forward';
import { createTriageHandler } from '../../functions/triage/triage';
import { lambdaContext } from '../../local/lambda-context';
import { seededRandom } from '../fixtures/random';
import type { RequestCounter } from '../lib/request-counter';

/** What Lambda's SQS event source does with a message an invocation gave back: it is received again. */
export const MAX_RECEIVE_COUNT = 5;

/** The simulated bulk lane's ARN (what a handler with the scope lane forwards from). */
export const BULK_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:capacity-bulk';

export interface ConcurrentRunOptions {
  /** Triage handlers running at once (the bulk lane's maximum concurrency). */
  readonly k: number;
  /** The queue's message bodies, as the ingest function wrote them. */
  readonly bodies: readonly string[];
  readonly endpoint: string;
  readonly region?: string;
  readonly tableName: string;
  readonly config: PolicyConfig;
  /** Processing time of every invocation (pinned, so the figures do not depend on the order). */
  readonly now: number;
  /** Messages per invocation (the event source's batch size). */
  readonly batchSize: number;
  /** Scope keys whose writes are reported apart (the storm's hot scopes). */
  readonly hotKeys: ReadonlySet<string>;
  /**
   * Every n-th invocation of the first pass over the queue dies midway: after a random number of its scope
   * writes every call it makes fails, and all its messages come back (a crash or a timeout). 0: none.
   */
  readonly crashEvery?: number;
  /** Every n-th message is delivered twice at once (SQS's at-least-once delivery). 0: none. */
  readonly duplicateEvery?: number;
  /** Added before every DynamoDB request: the network round trip that loopback to dynalite lacks. */
  readonly requestLatencyMs?: number;
  readonly seed?: number;
  /** Counts every DynamoDB request of every container, in the units AWS bills. */
  readonly counter?: RequestCounter;
}

export interface WriteCounts {
  /** Scope writes that succeeded (triage's writes and its outbox clean-ups). */
  writes: number;
  /** Conditional writes lost to another writer. */
  conflicts: number;
  /**
   * Milliseconds from the read of a scope to the conditional write that followed it, summed over those
   * writes (won or lost): the race window. Another writer's write inside it is a conflict.
   */
  windowMs: number;
  /** Conditional writes that followed a read by the same invocation (what `windowMs` sums over). */
  windows: number;
}

export interface ConcurrentRunResult {
  readonly k: number;
  readonly invocations: number;
  readonly crashedInvocations: number;
  /** Invocations that gave at least one message back to the queue (crashes and reported failures). */
  readonly gaveBackInvocations: number;
  readonly messagesGivenBack: number;
  /** Messages that reached the DLQ (received MAX_RECEIVE_COUNT times without success). */
  readonly deadLettered: number;
  readonly all: WriteCounts;
  readonly hot: WriteCounts;
  /** Reloads after a lost conditional write (each is a retry of the scope's write). */
  readonly retries: number;
  readonly wallMs: number;
  /** Sum of every invocation's wall time (what Lambda would bill). */
  readonly handlerMs: number;
  /** Every publish, in order, from the triage handlers and the closing sweep. */
  readonly published: readonly NotificationIntent[];
}

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly seq: number;
  /** A second copy SQS delivered (never copied again). */
  readonly copy: boolean;
  receiveCount: number;
}

export class Crash extends Error {
  override readonly name = 'Crash';
}

/** The calls one Lambda container makes, counted; after `crashAfter` writes every call fails (it died). */
export class ContainerRepository {
  crashAfter: number | undefined;
  private writesThisInvocation = 0;
  /** When this invocation last read each scope (the start of its race window). */
  private readonly readAt = new Map<string, number>();

  constructor(
    private readonly inner: StateRepository<ScopeState>,
    private readonly counts: { all: WriteCounts; hot: WriteCounts; retries: number },
    private readonly hotKeys: ReadonlySet<string>,
  ) {}

  startInvocation(crashAfter: number | undefined): void {
    this.crashAfter = crashAfter;
    this.writesThisInvocation = 0;
    this.readAt.clear();
  }

  get crashed(): boolean {
    return this.crashAfter !== undefined && this.writesThisInvocation >= this.crashAfter;
  }

  alive(): void {
    if (this.crashed) throw new Crash('the invocation died');
  }

  getMany: StateRepository<ScopeState>['getMany'] = async (keys, options) => {
    this.alive();
    const sent = performance.now();
    const found = await this.inner.getMany(keys, options);
    for (const key of keys) this.readAt.set(key, sent);
    return found;
  };

  settledAmong: StateRepository<ScopeState>['settledAmong'] = async (fingerprints) => {
    this.alive();
    return this.inner.settledAmong(fingerprints);
  };

  markSettled: StateRepository<ScopeState>['markSettled'] = async (fingerprints, now) => {
    this.alive();
    return this.inner.markSettled(fingerprints, now);
  };

  get: StateRepository<ScopeState>['get'] = async (key) => {
    this.alive();
    this.counts.retries++;
    const sent = performance.now();
    const found = await this.inner.get(key);
    this.readAt.set(key, sent);
    return found;
  };

  save: StateRepository<ScopeState>['save'] = async (state, expectedVersion) => {
    this.alive();
    const hot = this.hotKeys.has(state.key);
    const readAt = this.readAt.get(state.key);
    const windowOf = (counts: WriteCounts) => {
      if (readAt === undefined) return;
      counts.windowMs += performance.now() - readAt;
      counts.windows++;
    };
    try {
      await this.inner.save(state, expectedVersion);
    } catch (error) {
      windowOf(this.counts.all);
      if (hot) windowOf(this.counts.hot);
      if (error instanceof StateConflictError) {
        this.counts.all.conflicts++;
        if (hot) this.counts.hot.conflicts++;
      }
      throw error;
    }
    windowOf(this.counts.all);
    if (hot) windowOf(this.counts.hot);
    // The outbox clean-up that may follow starts from the state just written.
    this.readAt.set(state.key, performance.now());
    this.counts.all.writes++;
    if (hot) this.counts.hot.writes++;
    this.writesThisInvocation++;
  };
}

export function sqsRecord(message: QueuedMessage, eventSourceARN = BULK_QUEUE_ARN): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: '0',
      SenderId: 'capacity',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'us-east-1',
  };
}

export function dynamoClient(options: ConcurrentRunOptions): DynamoDBClient {
  const client = new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'capacity', secretAccessKey: 'capacity' },
  });
  options.counter?.attachDynamo(client);
  const latency = options.requestLatencyMs ?? 0;
  if (latency > 0) {
    client.middlewareStack.add(
      (next) => async (args) => {
        await new Promise((resolve) => setTimeout(resolve, latency));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'modelledNetworkLatency' },
    );
  }
  return client;
}

/** The state repository of one container: its own SDK client and socket pool, as in Lambda. */
export function containerStateRepository(options: ConcurrentRunOptions): StateRepository<ScopeState> {
  return new StateRepository<ScopeState>({
    tableName: options.tableName,
    documentClient: createDocumentClient(dynamoClient(options)),
    clock: () => options.now,
  });
}

/** Write counts of a run, shared by its containers. */
export function newCounts() {
  return {
    all: { writes: 0, conflicts: 0, windowMs: 0, windows: 0 },
    hot: { writes: 0, conflicts: 0, windowMs: 0, windows: 0 },
    retries: 0,
  };
}

/**
 * A standard SQS queue as Lambda's event source reads it: batches from the front, a message given back
 * to the end (after what was waiting: a visibility timeout), every `duplicateEvery`-th message delivered
 * twice at once, a message received MAX_RECEIVE_COUNT times dead-lettered.
 */
export class StandardQueue {
  private readonly messages: QueuedMessage[];
  deadLettered = 0;
  messagesGivenBack = 0;

  constructor(
    bodies: readonly string[],
    private readonly duplicateEvery: number,
  ) {
    this.messages = bodies.map((body, seq) => ({
      messageId: `m-${seq}`,
      body,
      seq,
      copy: false,
      receiveCount: 0,
    }));
  }

  get length(): number {
    return this.messages.length;
  }

  take(batchSize: number): QueuedMessage[] {
    const taken = this.messages.splice(0, batchSize);
    for (const message of taken) {
      message.receiveCount++;
      // A second copy, received at once by whichever handler asks next.
      if (
        this.duplicateEvery > 0 &&
        !message.copy &&
        message.receiveCount === 1 &&
        message.seq % this.duplicateEvery === 0
      ) {
        this.messages.unshift({
          ...message,
          messageId: `${message.messageId}-copy`,
          copy: true,
          receiveCount: 0,
        });
      }
    }
    return taken;
  }

  giveBack(messages: readonly QueuedMessage[]): void {
    for (const message of messages) {
      if (message.receiveCount >= MAX_RECEIVE_COUNT) this.deadLettered++;
      else this.messages.push(message);
    }
    this.messagesGivenBack += messages.length;
  }
}

/**
 * One simulated Lambda container of the triage function: the real handler over `repository` (counted, and
 * dying on cue), publishing into `published`; with `scopeLane`, forwarding the bulk lane's messages.
 */
export function triageContainer(
  options: ConcurrentRunOptions,
  repository: StateRepository<ScopeState>,
  counts: ReturnType<typeof newCounts>,
  published: NotificationIntent[],
  scopeLane?: ScopeLaneForwarding,
) {
  const container = new ContainerRepository(repository, counts, options.hotKeys);
  const handler = createTriageHandler({
    config: options.config,
    repository: container,
    notifier: {
      publish: async (intent) => {
        container.alive();
        published.push(intent);
        return intent.notificationId;
      },
    },
    clock: () => options.now,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Capacity', serviceName: 'capacity' }),
    plugin: { timeoutEarlyInMillis: 0 },
    ...(scopeLane ? { scopeLane } : {}),
  });
  return { repository: container, handler };
}

/** One invocation of a triage handler on `messages` (from `eventSourceARN`): the ids it gave back. */
export async function invokeTriage(
  handler: ReturnType<typeof createTriageHandler>,
  messages: readonly QueuedMessage[],
  eventSourceARN = BULK_QUEUE_ARN,
): Promise<Set<string>> {
  try {
    const response = await handler(
      { Records: messages.map((message) => sqsRecord(message, eventSourceARN)) } as SQSEvent,
      lambdaContext('triage') as Context,
    );
    return new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  } catch {
    return new Set(messages.map((message) => message.messageId));
  }
}

/** The sweep once the queues are empty, as the schedule would run it two minutes later. */
export async function closingSweep(
  options: ConcurrentRunOptions,
  repository: StateRepository<ScopeState>,
  published: NotificationIntent[],
): Promise<void> {
  const sweep = createSweepHandler({
    config: options.config,
    repository,
    notifier: {
      publish: async (intent) => {
        published.push(intent);
        return intent.notificationId;
      },
    },
    clock: () => options.now + 2 * 60_000,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Capacity', serviceName: 'capacity' }),
    plugin: { timeoutEarlyInMillis: 0 },
  });
  await sweep({} as ScheduledEvent, lambdaContext('sweep') as Context);
}

/**
 * K triage handlers (the real `createTriageHandler`, one per simulated Lambda container, each with its own
 * settled-marker cache) take batches from one in-memory queue at once, against one state table, as Lambda's
 * SQS event source runs them at a maximum concurrency of K. They run in this process: their DynamoDB calls
 * interleave at every await, so two of them do read the same scope, compute, and race on its conditional
 * write, exactly as two containers do (the computing itself does not overlap: see docs/scaling.md).
 *
 * Failures as AWS makes them: an invocation that dies midway gives all its messages back; messages a
 * handler reports failed come back; some messages are delivered twice at once. When the queue is empty one
 * sweep runs (as the schedule would), to publish what a dead invocation left in an outbox.
 */
export async function runConcurrentTriage(options: ConcurrentRunOptions): Promise<ConcurrentRunResult> {
  const random = seededRandom(options.seed ?? 7);
  const stateRepository = () => containerStateRepository(options);
  const counts = newCounts();
  const published: NotificationIntent[] = [];

  const container = () => triageContainer(options, stateRepository(), counts, published);

  const queue = new StandardQueue(options.bodies, options.duplicateEvery ?? 0);
  const firstPass = Math.ceil(options.bodies.length / options.batchSize);
  const crashEvery = options.crashEvery ?? 0;
  let inFlight = 0;
  let invocations = 0;
  let crashedInvocations = 0;
  let gaveBackInvocations = 0;
  let handlerMs = 0;

  const worker = async () => {
    let current = container();
    for (;;) {
      if (queue.length === 0) {
        if (inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const messages = queue.take(options.batchSize);
      inFlight++;
      const ordinal = ++invocations;
      const crashes = crashEvery > 0 && ordinal <= firstPass && ordinal % crashEvery === 0;
      current.repository.startInvocation(crashes ? 1 + Math.floor(random() * 10) : undefined);
      const started = performance.now();
      let failedIds = await invokeTriage(current.handler, messages);
      handlerMs += performance.now() - started;
      if (current.repository.crashed) {
        crashedInvocations++;
        failedIds = new Set(messages.map((message) => message.messageId));
        current = container(); // the next invocation gets a fresh container
      }
      const back = messages.filter((message) => failedIds.has(message.messageId));
      if (back.length > 0) {
        gaveBackInvocations++;
        queue.giveBack(back);
      }
      inFlight--;
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: options.k }, worker));
  const wallMs = performance.now() - started;

  await closingSweep(options, stateRepository(), published);

  return {
    k: options.k,
    invocations,
    crashedInvocations,
    gaveBackInvocations,
    messagesGivenBack: queue.messagesGivenBack,
    deadLettered: queue.deadLettered,
    all: counts.all,
    hot: counts.hot,
    retries: counts.retries,
    wallMs,
    handlerMs,
    published,
  };
}
