import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { DEFAULT_POLICY } from '../../functions/core/policy';
import { parseConfig } from '../../lib/config';
import { type CapacityRow, measureCapacity } from '../capacity/capacity-run';
import { singleWriterFigures } from '../capacity/single-writer';
import { ISSUE_STORM, STORM_NOW, stormBodies } from '../capacity/storm';
import { type AwsUsage, costOf } from '../lib/cost';
import { round } from '../lib/stats';
import { setHandlerEnvironment } from '../pipeline/in-process-pipeline';
import type { BenchPart } from './part';

const KS = [1, 2, 4, 8] as const;
/** The bulk lane's event source: up to 100 messages per invocation (lib/config.ts `bulkBatch`). */
const BATCH_SIZE = 100;
/** Events per POST (one queue message each) in the capacity model. */
const EVENTS_PER_POST = 100;
/** Lambda gives a function one vCPU at 1 769 MB, and CPU in proportion below it (AWS, docs/scaling.md). */
const ONE_VCPU_MB = 1769;
/** Assumed, not measured here: an ingest invocation of one 100-event POST (validation ~1 ms + one SQS send). */
const INGEST_MS_PER_POST = 20;

/**
 * Cost per million events once the bulk lane's invocations are full (from ~170 events/s at 100 events per
 * POST: 100 messages fill before its 60 s window ends), so the same at 1 000, 10 000 and 100 000 events/s.
 * From the run at K = 1: DynamoDB units per event as counted, triage Lambda time as its CPU time at the
 * function's CPU share; per POST: one API request, one SQS send plus its share of a receive and a delete
 * (10 messages each), one ingest invocation. Prices and maths: bench/lib/cost.ts.
 */
export function costPerMillionAtSaturation(row: CapacityRow, triageMemoryMb: number, ingestMemoryMb: number) {
  const scale = 1e6 / row.events;
  const posts = 1e6 / EVENTS_PER_POST;
  const cpuShare = Math.min(1, triageMemoryMb / ONE_VCPU_MB);
  const usage: AwsUsage = {
    httpApiRequests: posts,
    lambdaInvocations:
      posts + 1e6 / (EVENTS_PER_POST * BATCH_SIZE) + (row.lane ? row.lane.invocations * scale : 0),
    lambdaGbSeconds:
      ((row.handlerCpuMs * scale) / cpuShare / 1000) * (triageMemoryMb / 1024) +
      ((posts * INGEST_MS_PER_POST) / 1000) * (ingestMemoryMb / 1024),
    // The scope lane (FIFO, $0.50 per million requests: 1.25 × standard): per part a tenth of a send, of a
    // receive and of a delete; and its invocations.
    sqsRequests: posts * 1.2 + (row.lane ? row.lane.partsQueued * scale * 0.3 * 1.25 : 0),
    dynamoWru: (row.dynamo.wru + row.dynamo.indexWru) * scale,
    dynamoRru: row.dynamo.rru * scale,
    snsPublishes: 0,
  };
  return { usage, cost: costOf(usage) };
}

/**
 * The highest events/s of any K over K = 1 that this machine allows, from the K = 1 run's CPU time. No run
 * takes less wall time than the handlers' CPU time (they share one thread), than dynalite's (one thread of
 * its own), or than all of it spread over the cores. Concurrency adds work (retries) and removes none.
 */
export function speedupBound(k1: CapacityRow, cores: number): number {
  const emulator = k1.emulatorCpuMs ?? 0;
  const floorMs = Math.max(k1.handlerCpuMs, emulator, (k1.handlerCpuMs + emulator) / cores);
  return floorMs > 0 ? k1.wallMs / floorMs : 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * dynalite in a process of its own, so that its work (it is single-threaded JavaScript, the slowest part of
 * the run) does not share the handlers' thread. Resolves once it answers.
 */
async function startDynalite(): Promise<{ endpoint: string; cpuMs: () => number; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require.resolve('dynalite/cli.js'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--createTableMs',
      '0',
    ],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(endpoint);
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const ticksPerMs = 100 / 1000; // USER_HZ = 100 on Linux
  return {
    endpoint,
    cpuMs: () => {
      // /proc/<pid>/stat fields 14 and 15: user and system time in clock ticks.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    },
    stop: () => child.kill(),
  };
}

function rowLine(row: CapacityRow): string {
  return `K=${row.k}: ${round(row.eventsPerSecond)} events/s (${round(row.wallMs / 1000)} s), ${row.invocations} invocations (${row.crashedInvocations} died midway, ${row.gaveBackInvocations} gave ${row.messagesGivenBack} messages back), ${row.scopeWrites} scope writes, ${round(row.conflictsPerWrite)} conflicts/write (hot scopes ${round(row.hotScopeConflictsPerWrite)} over ${row.hotScopeWrites} writes, race window ${round(row.hotScopeWindowMs)} ms of a ${round(row.invocationMs)} ms invocation), ${row.retries} retries; CPU handlers ${round(row.handlerCpuMs / 1000)} s, dynalite ${round((row.emulatorCpuMs ?? 0) / 1000)} s; lost ${row.lostEvents}, double ${row.doubleCountedEvents}, duplicate notifications ${row.duplicateNotifications}, lost notifications ${row.lostNotifications}, republished ids ${row.republished}${row.lane ? `; scope lane: ${row.lane.invocations} invocations (${row.lane.crashedInvocations} died midway), ${row.lane.partsQueued} parts sent, ${row.lane.partsDeduplicated} dropped as duplicates by the FIFO queue` : ''}`;
}

/**
 * Issue 22: K concurrent triage handlers on the storm, K = 1, 2, 4, 8 (method and caveats: docs/scaling.md,
 * "Measured here"). Correctness is checked at every K against the pure engine's reference.
 */
export const capacityPart: BenchPart = {
  name: 'capacity: K concurrent triage handlers on a storm',
  keys: [
    'hotScopeConflictsPerWrite',
    'concurrentEventsPerSecK8vsK1',
    'lostEvents',
    'doubleCountedEvents',
    'duplicateNotifications',
  ],
  async run({ quick, log }) {
    setHandlerEnvironment();
    // 16 invocations of 100 messages × 100 events (8 with --quick): every handler gets at least two at K = 8
    // (one at K = 8 with --quick).
    const messages = (quick ? 8 : 16) * BATCH_SIZE;
    const bodies = stormBodies({ ...ISSUE_STORM, messages });
    const dynalite = await startDynalite();
    try {
      const stamp = Date.now().toString(36);
      const measure = (design: 'shared' | 'scope-lane') =>
        measureCapacity({
          ks: KS,
          bodies,
          endpoint: dynalite.endpoint,
          config: DEFAULT_POLICY,
          batchSize: BATCH_SIZE,
          crashEvery: 4,
          duplicateEvery: 25,
          requestLatencyMs: 0,
          tableName: (k) => `capacity-${stamp}-${design}-${k}`,
          emulatorCpuMs: dynalite.cpuMs,
          design,
        });
      const { rows } = await measure('shared');
      log('  shared writers (the default): K bulk-lane handlers write the scopes');
      for (const row of rows) log(`  ${rowLine(row)}`);
      const { rows: laneRows } = await measure('scope-lane');
      log(
        '  scope lane (scopeLane.enabled): K bulk-lane handlers forward, K lane handlers write, one per scope',
      );
      for (const row of laneRows) log(`  ${rowLine(row)}`);
      const at = (list: readonly CapacityRow[], k: number) => list.find((row) => row.k === k) as CapacityRow;
      const k1 = at(rows, 1);
      const k8 = at(rows, 8);
      const laneK8 = at(laneRows, 8);
      const all = [...rows, ...laneRows];
      const sum = (pick: (row: CapacityRow) => number) => all.reduce((total, row) => total + pick(row), 0);
      const speedup = k8.eventsPerSecond / k1.eventsPerSecond;
      const laneSpeedup = laneK8.eventsPerSecond / at(laneRows, 1).eventsPerSecond;
      const bound = speedupBound(k1, availableParallelism());
      const memory = parseConfig({}).memorySize;
      const saturated = costPerMillionAtSaturation(k1, memory.triage, memory.ingest);
      const laneSaturated = costPerMillionAtSaturation(at(laneRows, 1), memory.triage, memory.ingest);
      const cpuMsPerEvent = k1.handlerCpuMs / k1.events;
      const costLine = (cost: typeof saturated.cost) =>
        `$${round(cost.total)} (${Object.entries(cost)
          .filter(([part]) => part !== 'total')
          .map(([part, usd]) => `${part} $${round(usd)}`)
          .join(', ')})`;
      log(
        `  cost per million events with full bulk invocations (1 000, 10 000 and 100 000 events/s alike): shared writers ${costLine(saturated.cost)}; scope lane ${costLine(laneSaturated.cost)}; handler CPU ${round(cpuMsPerEvent * 1000)} µs per event at K = 1 (scope lane ${round((at(laneRows, 1).handlerCpuMs / at(laneRows, 1).events) * 1000)} µs)`,
      );
      const single = singleWriterFigures(bodies, DEFAULT_POLICY, BATCH_SIZE, STORM_NOW, cpuMsPerEvent * 1000);
      log(
        `  one writer per scope (estimate from measured parts): the hottest scope has ${round(single.hotShare * 100)} % of the events and its writer would spend ${round(single.writerUsPerEvent)} µs on each (parse, apply, serialize); serial share ${round(single.serialShare * 100)} % beside today's handler, so K = 8 can go at most ${round(single.boundK8)} × as fast as K = 1 (${round(single.routedAtIngestBoundK8)} × when routed at ingest)`,
      );
      const events = `${k1.events} events in ${bodies.length} messages of ${ISSUE_STORM.eventsPerMessage}, ${k1.scopes} scopes`;
      const perK = (list: readonly CapacityRow[], pick: (row: CapacityRow) => number) =>
        list.map((row) => round(pick(row))).join(', ');
      return {
        figures: [
          {
            key: 'hotScopeConflictsPerWrite',
            value: round(laneK8.hotScopeConflictsPerWrite),
            unit: 'conflicts per write (K = 8, scope lane)',
            target: '≤ 0.25',
            pass: laneK8.hotScopeConflictsPerWrite <= 0.25,
            beside: `scope lane per K (1, 2, 4, 8): hot ${perK(laneRows, (r) => r.hotScopeConflictsPerWrite)}, all ${perK(laneRows, (r) => r.conflictsPerWrite)}; shared writers (the default): hot ${perK(rows, (r) => r.hotScopeConflictsPerWrite)}, all ${perK(rows, (r) => r.conflictsPerWrite)}, retries ${perK(rows, (r) => r.retries)}, invocations that gave messages back ${perK(rows, (r) => r.gaveBackInvocations)}`,
          },
          {
            key: 'concurrentEventsPerSecK8vsK1',
            value: round(laneSpeedup),
            unit: '× K = 1 (scope lane)',
            target: '≥ 3',
            pass: laneSpeedup >= 3,
            beside: `scope lane events/s per K (1, 2, 4, 8): ${perK(laneRows, (r) => r.eventsPerSecond)}; shared writers ${round(speedup)} × (${perK(rows, (r) => r.eventsPerSecond)}); ${events}; this machine allows shared writers at most ${round(bound)} × (the K = 1 run's CPU: handlers ${round(k1.handlerCpuMs / 1000)} s on one thread, dynalite ${round((k1.emulatorCpuMs ?? 0) / 1000)} s, ${availableParallelism()} cores; docs/scaling.md)`,
          },
          {
            key: 'lostEvents',
            value: sum((row) => row.lostEvents + row.deadLettered),
            unit: 'events',
            target: '= 0',
            pass: sum((row) => row.lostEvents + row.deadLettered) === 0,
            beside: `at every K of both designs, with ${perK(rows, (r) => r.crashedInvocations)} invocations dying midway (scope lane: bulk ${perK(laneRows, (r) => r.crashedInvocations)}, lane ${perK(laneRows, (r) => r.lane?.crashedInvocations ?? 0)}) and every 25th message delivered twice`,
          },
          {
            key: 'doubleCountedEvents',
            value: sum((row) => row.doubleCountedEvents),
            unit: 'events',
            target: '= 0',
            pass: sum((row) => row.doubleCountedEvents) === 0,
            beside: 'at every K of both designs',
          },
          {
            key: 'duplicateNotifications',
            value: sum((row) => row.duplicateNotifications),
            unit: 'notifications',
            target: '= 0',
            pass: sum((row) => row.duplicateNotifications + row.lostNotifications) === 0,
            beside: `at every K of both designs; lost notifications ${sum((row) => row.lostNotifications)}; the same id published again (SNS at-least-once, subscribers dedupe by id) ${all.map((r) => r.republished).join('/')}`,
          },
        ],
        details: {
          messages: bodies.length,
          storm: ISSUE_STORM,
          batchSize: BATCH_SIZE,
          rows,
          scopeLaneRows: laneRows,
          handlerCpuUsPerEventK1: cpuMsPerEvent * 1000,
          speedupBoundOnThisMachine: bound,
          singleWriter: single,
          costPerMillionAtSaturation: { ...saturated, ingestMsPerPostAssumed: INGEST_MS_PER_POST },
          scopeLaneCostPerMillionAtSaturation: laneSaturated,
        },
      };
    } finally {
      dynalite.stop();
    }
  },
};
