import { parseConfig } from '../../lib/config';
import { mixedEvents } from '../fixtures/mixed-events';
import { type AwsUsage, costOf, lambdaGbSeconds, PRICES_USD, perMillionEvents } from '../lib/cost';
import { round } from '../lib/stats';
import { drainQueue, type Infrastructure, startInfrastructure } from '../pipeline/in-process-pipeline';
import { naiveTriage } from '../pipeline/naive-triage';
import { startTriagePipeline, type TriagePipeline } from '../pipeline/triage-pipeline';
import type { BenchPart } from './part';

const MINUTE = 60_000;
/** The full run: 20 000 events over 30 minutes (~11 events/s, about a million errors a day). */
const RUN_MS = 30 * MINUTE;
const EVENTS_PER_MS = 20_000 / RUN_MS;
/** The deployed memory sizes (lib/config.ts defaults), for Lambda GB-seconds. */
const MEMORY_MB = parseConfig({}).memorySize;

type Design = 'ours' | 'naive';

interface Scenario {
  readonly design: Design;
  readonly events: number;
  readonly eventsPerPost: number;
  /** How long the events span (simulated). */
  readonly runMs: number;
}

/**
 * Post `events` mixed errors over 30 simulated minutes, triage them as the event source would, sweep every
 * simulated minute and keep sweeping until nothing is due (digests, resolves), counting every AWS request.
 */
interface ScenarioRun {
  readonly usage: AwsUsage;
  readonly calls: Record<string, number>;
  readonly dynamoWriteRequests: number;
  readonly dynamoIndexWru: number;
}

async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  const infra = await startInfrastructure();
  try {
    const pipeline = await startTriagePipeline(infra, {}, { autoTriage: scenario.design === 'ours' });
    const events = mixedEvents({
      count: scenario.events,
      seed: 3,
      startAt: pipeline.now,
      spanMs: scenario.runMs,
    });
    const posts = Math.ceil(scenario.events / scenario.eventsPerPost);
    const start = pipeline.now;
    let nextSweep = start + MINUTE;
    const triage = scenario.design === 'naive' ? naiveTriage(infra) : undefined;
    // The naive design has no lanes or windows: every message is triaged right after its POST.
    const drainNaive = async () => {
      if (!triage) return;
      for (const queueUrl of [infra.urgentQueueUrl, infra.queueUrl]) {
        const run = await drainQueue(infra, (records) => pipeline.log.time('triage', () => triage(records)), {
          queueUrl,
        });
        pipeline.emptyReceives += run.emptyReceives;
      }
    };
    for (let p = 0; p < posts; p++) {
      const at = start + Math.floor(((p + 1) * scenario.runMs) / posts);
      while (scenario.design === 'ours' && nextSweep <= at) {
        await pipeline.advanceTo(nextSweep);
        await pipeline.sweep();
        nextSweep += MINUTE;
      }
      await pipeline.advanceTo(at);
      await pipeline.post(events.slice(p * scenario.eventsPerPost, (p + 1) * scenario.eventsPerPost));
      await drainNaive();
    }
    if (scenario.design === 'ours') await sweepUntilQuiet(pipeline, nextSweep);
    return {
      usage: usageOf(infra, pipeline),
      calls: infra.counter.snapshot(),
      dynamoWriteRequests: infra.counter.dynamoWriteRequests,
      dynamoIndexWru: infra.counter.dynamoIndexWru,
    };
  } finally {
    await infra.stop();
  }
}

async function sweepUntilQuiet(pipeline: TriagePipeline, from: number): Promise<void> {
  let quiet = 0;
  for (let at = from; at < from + 3 * 60 * MINUTE && quiet < 5; at += MINUTE) {
    // Runs the bulk lane's last batch when its window ends.
    await pipeline.advanceTo(at);
    const { due } = await pipeline.sweep();
    quiet = due === 0 ? quiet + 1 : 0;
  }
}

function usageOf(infra: Infrastructure, pipeline: TriagePipeline): AwsUsage {
  const log = pipeline.log;
  let gbSeconds = 0;
  let invocations = 0;
  for (const [name, durations] of log.durations) {
    gbSeconds += lambdaGbSeconds(durations, MEMORY_MB[name as keyof typeof MEMORY_MB]);
    invocations += durations.length;
  }
  const counter = infra.counter;
  return {
    // Every POST is far below 512 KB: one metered request each.
    httpApiRequests: log.count('ingest'),
    lambdaInvocations: invocations,
    lambdaGbSeconds: gbSeconds,
    // Empty receives of the event source are a fixed cost of polling (see docs/benchmarks.md), not per event.
    sqsRequests: counter.sqsUnits - pipeline.emptyReceives,
    dynamoWru: counter.dynamoWru + counter.dynamoIndexWru,
    dynamoRru: counter.dynamoRru,
    snsPublishes: counter.snsPublishUnits,
  };
}

/** `costPerMillionEventsUsd`: counted requests × on-demand prices, beside the naive design and one event per POST. */
export const costPart: BenchPart = {
  name: 'cost per million events',
  keys: ['costPerMillionEventsUsd'],
  async run({ quick, log }) {
    // --quick keeps the traffic rate (the bulk lane's batches depend on it) over a third of the time.
    const runMs = quick ? 10 * MINUTE : RUN_MS;
    const size = Math.round(EVENTS_PER_MS * runMs);
    const scenarios: Record<string, Scenario> = {
      batched: { design: 'ours', events: size, eventsPerPost: 100, runMs },
      naive: { design: 'naive', events: size, eventsPerPost: 100, runMs },
      onePerPost: { design: 'ours', events: Math.round((10_000 * runMs) / RUN_MS), eventsPerPost: 1, runMs },
    };
    const results: Record<
      string,
      { usage: AwsUsage; calls: Record<string, number>; perMillion: number; breakdown: unknown }
    > = {};
    for (const [name, scenario] of Object.entries(scenarios)) {
      const counted = await runScenario(scenario);
      const cost = costOf(counted.usage);
      const perMillion = perMillionEvents(cost.total, scenario.events);
      const breakdown = Object.fromEntries(
        Object.entries(cost).map(([k, v]) => [k, round(perMillionEvents(v, scenario.events))]),
      );
      results[name] = { ...counted, perMillion, breakdown };
      log(`  cost ${name}: $${round(perMillion)} per million events ${JSON.stringify(breakdown)}`);
    }
    const ours = results.batched?.perMillion ?? Number.NaN;
    return {
      figures: [
        {
          key: 'costPerMillionEventsUsd',
          value: round(ours),
          unit: 'USD',
          target: '≤ 0.10',
          pass: ours <= 0.1,
          beside: `100 events/POST; naive per-event design $${round(results.naive?.perMillion ?? Number.NaN)}; one event per POST $${round(results.onePerPost?.perMillion ?? Number.NaN)}`,
        },
      ],
      details: { pricesUsd: PRICES_USD, memoryMb: MEMORY_MB, scenarios, results },
    };
  },
};
