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

/** The service's handlers in process on the counted clients, with a clock the scenario moves. */
export interface TriagePipeline {
  readonly log: InvocationLog;
  now: number;
  post(events: readonly unknown[]): Promise<PostResult>;
  /** Run the triage function over the queue until it is empty, `batchSize` messages per invocation. */
  drain(batchSize?: number): Promise<number>;
  sweep(): Promise<{ due: number; published: number }>;
  /** Empty receives of the event source (a fixed cost of polling, excluded from per-event cost). */
  emptyReceives: number;
}

/** Wire the production handlers (ingest, triage, sweep) exactly as their handler.ts files do, on `infra`. */
export async function startTriagePipeline(
  infra: Infrastructure,
  policy: unknown = {},
): Promise<TriagePipeline> {
  // Imported here, after the environment is set: the shared logger reads its level at import.
  const [{ createDocumentClient, StateRepository }, { Notifier }, { EventQueue }, { TokenStore }] =
    await Promise.all([
      import('../../functions/adapters/state-repository'),
      import('../../functions/adapters/notifier'),
      import('../../functions/adapters/event-queue'),
      import('../../functions/adapters/token-store'),
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
    emptyReceives: 0,
    post: async () => ({ statusCode: 0, body: '' }),
    drain: async () => 0,
    sweep: async () => ({ due: 0, published: 0 }),
  };
  const clock = () => pipeline.now;
  const tokens = new TokenStore({ tableName: infra.tableName, documentClient, cacheSeconds: 60, clock });
  const { token } = await tokens.create({ app: 'bench' }, new Date(pipeline.now));
  const ingest = createIngestHandler({
    tokens,
    queue: new EventQueue({ queueUrl: infra.queueUrl, client: infra.clients.sqs }),
    clock,
    plugin,
  });
  const config = parsePolicyConfig(policy);
  const deps = {
    config,
    repository: new StateRepository<ScopeState>({ tableName: infra.tableName, documentClient, clock }),
    notifier: new Notifier({ topicArns: infra.topics, snsClient: infra.clients.sns }),
    clock,
    plugin,
  };
  const triage = createTriageHandler(deps);
  const sweep = createSweepHandler(deps);
  const invokeTriage: SqsInvoke = async (records, context) =>
    pipeline.log.time('triage', async () => triage({ Records: records } as SQSEvent, context as Context));

  pipeline.post = async (events) => {
    const result = (await pipeline.log.time('ingest', () =>
      ingest(postEvent(JSON.stringify(events), token, pipeline.now), lambdaContext('ingest')),
    )) as PostResult;
    if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
    return result;
  };
  pipeline.drain = async (batchSize = 10) => {
    const { invocations, emptyReceives } = await drainQueue(infra, invokeTriage, { batchSize });
    pipeline.emptyReceives += emptyReceives;
    return invocations;
  };
  pipeline.sweep = async () =>
    pipeline.log.time('sweep', () =>
      sweep(scheduledEvent(pipeline.now) as ScheduledEvent, lambdaContext('sweep')),
    );
  infra.counter.reset();
  return pipeline;
}
