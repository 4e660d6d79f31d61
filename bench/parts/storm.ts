import { drainQueue, type Infrastructure, startInfrastructure } from '../pipeline/in-process-pipeline';
import { naiveTriage } from '../pipeline/naive-triage';
import { startTriagePipeline, type TriagePipeline } from '../pipeline/triage-pipeline';
import type { BenchPart } from './part';

const STORM_EVENTS = 10_000;
const EVENTS_PER_POST = 100;
const STORM_MS = 10 * 60_000;
const MINUTE = 60_000;
const MODEL = 'accounts/fireworks/models/llama-v3p1-70b-instruct';

/** The storm as apps send it: 100 POSTs of 100 identical 503s, one POST every 6 s, event times in between. */
function stormPosts(start: number): { at: number; events: Record<string, unknown>[] }[] {
  const posts = STORM_EVENTS / EVENTS_PER_POST;
  const every = STORM_MS / posts;
  return Array.from({ length: posts }, (_, p) => ({
    at: start + (p + 1) * every,
    events: Array.from({ length: EVENTS_PER_POST }, (_, i) => ({
      status: 503,
      model: MODEL,
      message: 'Service temporarily unavailable',
      occurredAt: new Date(start + p * every + Math.floor((i * every) / EVENTS_PER_POST)).toISOString(),
    })),
  }));
}

interface StormCounts {
  readonly sqsMessages: number;
  readonly triageInvocations: number;
  readonly writes: number;
  readonly writesDuringStorm: number;
  readonly publishes: number;
  readonly publishesDuringStorm: number;
  readonly calls: Record<string, number>;
  /** Write units of the table and of the sparse due-index (item size counts, not just requests). */
  readonly wru: number;
  readonly indexWru: number;
}

/**
 * Run the storm through ingest → SQS → triage as the deployed event sources do (503s travel the bulk lane:
 * at one POST per 6 s its 60 s batching window collects about 10 messages per invocation), with the sweep
 * every minute of simulated time, and keep sweeping after the storm until nothing is due (the incident
 * resolves after 15 quiet minutes).
 */
async function ourStorm(infra: Infrastructure, pipeline: TriagePipeline): Promise<StormCounts> {
  const start = pipeline.now;
  let nextSweep = start + MINUTE;
  let last = start;
  for (const post of stormPosts(start)) {
    while (nextSweep <= post.at) {
      await pipeline.advanceTo(nextSweep);
      await pipeline.sweep();
      nextSweep += MINUTE;
    }
    await pipeline.advanceTo(post.at);
    await pipeline.post(post.events);
    last = post.at;
  }
  // The storm's last batch, when its window ends.
  await pipeline.advanceTo(last + pipeline.lanes.bulk.windowMs);
  const triageInvocations = pipeline.invocations.urgent + pipeline.invocations.bulk;
  const writesDuringStorm = infra.counter.dynamoWriteRequests;
  const publishesDuringStorm = infra.counter.get('sns:PublishCommand');
  for (let i = 0; i < 120; i++) {
    await pipeline.advanceTo(nextSweep);
    nextSweep += MINUTE;
    const { due } = await pipeline.sweep();
    if (due === 0 && i > 20) break;
  }
  return {
    sqsMessages: infra.counter.get('sqs:SendMessageBatchCommand'),
    triageInvocations,
    writes: infra.counter.dynamoWriteRequests,
    writesDuringStorm,
    publishes: infra.counter.get('sns:PublishCommand'),
    publishesDuringStorm,
    calls: infra.counter.snapshot(),
    wru: infra.counter.dynamoWru,
    indexWru: infra.counter.dynamoIndexWru,
  };
}

/** The same storm through the same ingest, triaged by the naive per-event function. */
async function naiveStorm(
  infra: Infrastructure,
  pipeline: TriagePipeline,
): Promise<{ writes: number; publishes: number }> {
  const triage = naiveTriage(infra);
  const start = pipeline.now;
  for (const post of stormPosts(start)) {
    await pipeline.advanceTo(post.at);
    await pipeline.post(post.events);
    const drained = await drainQueue(infra, triage, { batchSize: 1 });
    pipeline.emptyReceives += drained.emptyReceives;
  }
  return { writes: infra.counter.dynamoWriteRequests, publishes: infra.counter.get('sns:PublishCommand') };
}

/** `writesPer10kStormEvents` and `publishesPerStorm`, each beside the naive design's count. */
export const stormPart: BenchPart = {
  name: 'storm of 10 000 503s',
  keys: ['writesPer10kStormEvents', 'publishesPerStorm'],
  async run({ log }) {
    const ours = await withInfrastructure((infra) =>
      startTriagePipeline(infra).then((pipeline) => ourStorm(infra, pipeline)),
    );
    log(`  storm (ours): ${JSON.stringify(ours.calls)}`);
    const naive = await withInfrastructure((infra) =>
      startTriagePipeline(infra, {}, { autoTriage: false }).then((pipeline) => naiveStorm(infra, pipeline)),
    );
    log(`  storm (naive): ${naive.writes} writes, ${naive.publishes} publishes`);
    // Issue 7: "writes ≤ the number of SQS messages + scopes touched per batch (≤ 500 for the storm)". The
    // storm touches one scope per batch, so the formula gives messages + invocations; the pass mark is the
    // issue's 500, and the table shows the formula bound beside it so any excess stays visible.
    const bound = ours.sqsMessages + ours.triageInvocations * 1;
    return {
      figures: [
        {
          key: 'writesPer10kStormEvents',
          value: ours.writes,
          unit: 'writes',
          target: '≤ 500',
          pass: ours.writes <= 500,
          beside: `naive per-event design: ${naive.writes}; formula bound (messages + scopes per batch) ${bound}; ${ours.sqsMessages} SQS messages (one settled marker each), ${ours.triageInvocations} triage invocations, ${ours.writesDuringStorm} writes during the storm, ${ours.writes - ours.writesDuringStorm} by later sweeps`,
        },
        {
          key: 'publishesPerStorm',
          value: ours.publishesDuringStorm,
          unit: 'publishes',
          target: '= 1 (opened)',
          pass: ours.publishesDuringStorm === 1,
          beside: `naive: ${naive.publishes}; ours incl. the resolved notice 15 quiet minutes later: ${ours.publishes}`,
        },
      ],
      details: { ours, naive },
    };
  },
};

async function withInfrastructure<T>(work: (infra: Infrastructure) => Promise<T>): Promise<T> {
  const infra = await startInfrastructure();
  try {
    return await work(infra);
  } finally {
    await infra.stop();
  }
}
