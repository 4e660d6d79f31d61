import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import type { ScopeState } from '../../functions/core/policy';
import { lambdaContext } from '../../local/lambda-context';
import {
  drainQueue,
  type Infrastructure,
  InvocationLog,
  postEvent,
  type SqsInvoke,
  scheduledEvent,
} from './in-process-pipeline';

/** What the ingest handler answered. */
export interface PostResult {
  readonly statusCode: number;
  readonly body: string;
}

/** The event sources' settings, as lib/config.ts deploys them (urgentBatch, bulkBatch). */
export interface LaneSettings {
  readonly urgent: { readonly batchSize: number };
  readonly bulk: { readonly batchSize: number; readonly windowMs: number };
}

/**
 * The service's handlers in process on the counted clients, with a clock the scenario moves. The two event
 * sources are played as Lambda runs them: the urgent lane is triaged right after each POST (its 1 s window
 * never holds two POSTs of a scenario), the bulk lane when its batching window has run out since the first
 * message waiting (at that simulated time) or when a full batch is waiting.
 */
export interface TriagePipeline {
  readonly log: InvocationLog;
  /** Simulated time; move it with `advanceTo`, which runs the bulk lane's invocations that fall due. */
  now: number;
  readonly lanes: LaneSettings;
  /** POST the events, then triage the urgent lane, and the bulk lane if a full batch waits. */
  post(events: readonly unknown[]): Promise<PostResult>;
  /** Move the clock to `at`, invoking the bulk lane at the end of each batching window on the way. */
  advanceTo(at: number): Promise<void>;
  sweep(): Promise<{ due: number; published: number }>;
  /** Empty receives of the event source (a fixed cost of polling, excluded from per-event cost). */
  emptyReceives: number;
  /** Triage invocations so far, by lane. */
  readonly invocations: { urgent: number; bulk: number };
}

/** The deployed defaults (lib/config.ts `urgentBatch`, `bulkBatch`). */
export const DEPLOYED_LANES: LaneSettings = {
  urgent: { batchSize: 10 },
  bulk: { batchSize: 100, windowMs: 60_000 },
};

/** Wire the production handlers (ingest, triage, sweep) exactly as their handler.ts files do, on `infra`. */
export async function startTriagePipeline(
  infra: Infrastructure,
  policy: unknown = {},
  options: {
    /** False when the scenario triages the queues itself (the naive design): post and advanceTo only post and move time. */
    readonly autoTriage?: boolean;
  } = {},
): Promise<TriagePipeline> {
  const lanes = DEPLOYED_LANES;
  const autoTriage = options.autoTriage ?? true;
  // Imported here, after the environment is set: the shared logger reads its level at import.
  const [
    { createDocumentClient, StateRepository },
    { Notifier },
    { EventQueue },
    { TokenStore },
    { OpenIncidents },
  ] = await Promise.all([
    import('../../functions/adapters/state-repository'),
    import('../../functions/adapters/notifier'),
    import('../../functions/adapters/event-queue'),
    import('../../functions/adapters/token-store'),
    import('../../functions/adapters/open-incidents'),
  ]);
  const [{ createIngestHandler }, { createTriageHandler }, { createSweepHandler }, { parsePolicyConfig }] =
    await Promise.all([
      import('../../functions/ingest/ingest'),
      import('../../functions/triage/triage'),
      import('../../functions/sweep/sweep'),
      import('../../functions/core/policy'),
    ]);
  const plugin = { timeoutEarlyInMillis: 0 };
  const documentClient = createDocumentClient(infra.clients.dynamodb);
  const pipeline: TriagePipeline = {
    log: new InvocationLog(),
    now: Date.UTC(2026, 10, 25, 15, 0, 0),
    lanes,
    emptyReceives: 0,
    invocations: { urgent: 0, bulk: 0 },
    post: async () => ({ statusCode: 0, body: '' }),
    advanceTo: async () => undefined,
    sweep: async () => ({ due: 0, published: 0 }),
  };
  const clock = () => pipeline.now;
  const tokens = new TokenStore({ tableName: infra.tableName, documentClient, cacheSeconds: 60, clock });
  const { token } = await tokens.create({ app: 'bench' }, new Date(pipeline.now));
  const config = parsePolicyConfig(policy);
  const repository = new StateRepository<ScopeState>({ tableName: infra.tableName, documentClient, clock });
  // As the ingest handler wires it: 500s of an incident already open take the bulk lane.
  const open = new OpenIncidents({
    repository,
    quietSeconds: config.incidents.resolveAfterQuietSeconds,
    clock,
  });
  const queue = new EventQueue({
    queueUrl: infra.queueUrl,
    urgent: {
      queueUrl: infra.urgentQueueUrl,
      statuses: new Set(config.incidents.immediateStatuses),
      stillUrgent: (events) => open.stillUrgent(events),
    },
    client: infra.clients.sqs,
  });
  // What waits on the bulk lane: messages, and since when (simulated time).
  let bulkWaiting = 0;
  let bulkSince = 0;
  const ingest = createIngestHandler({
    tokens,
    queue: {
      sendBatch: async (events, options) => {
        const sent = await queue.sendBatch(events, options);
        if (autoTriage && sent.lane === 'bulk' && bulkWaiting === 0) bulkSince = pipeline.now;
        if (autoTriage && sent.lane === 'bulk') bulkWaiting += 1;
        return sent;
      },
    },
    clock,
    plugin,
  });
  const deps = {
    config,
    repository,
    notifier: new Notifier({ topicArns: infra.topics, snsClient: infra.clients.sns }),
    clock,
    plugin,
  };
  const triage = createTriageHandler(deps);
  const sweep = createSweepHandler(deps);
  const invokeTriage: SqsInvoke = async (records, context) =>
    pipeline.log.time('triage', async () => triage({ Records: records } as SQSEvent, context as Context));

  const drainLane = async (lane: 'urgent' | 'bulk') => {
    const { invocations, emptyReceives } = await drainQueue(infra, invokeTriage, {
      batchSize: lanes[lane].batchSize,
      queueUrl: lane === 'urgent' ? infra.urgentQueueUrl : infra.queueUrl,
    });
    pipeline.emptyReceives += emptyReceives;
    pipeline.invocations[lane] += invocations;
    if (lane === 'bulk') bulkWaiting = 0;
    return invocations;
  };
  pipeline.post = async (events) => {
    const result = (await pipeline.log.time('ingest', () =>
      ingest(postEvent(JSON.stringify(events), token, pipeline.now), lambdaContext('ingest')),
    )) as PostResult;
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
    if (autoTriage) await drainLane('urgent');
    if (bulkWaiting >= lanes.bulk.batchSize) await drainLane('bulk');
    return result;
  };
  pipeline.advanceTo = async (at) => {
    while (bulkWaiting > 0 && bulkSince + lanes.bulk.windowMs <= at) {
      pipeline.now = Math.max(pipeline.now, bulkSince + lanes.bulk.windowMs);
      await drainLane('bulk');
    }
    pipeline.now = Math.max(pipeline.now, at);
  };

  pipeline.sweep = async () =>
    pipeline.log.time('sweep', () =>
      sweep(scheduledEvent(pipeline.now) as ScheduledEvent, lambdaContext('sweep')),
    );
  infra.counter.reset();
  return pipeline;
}
