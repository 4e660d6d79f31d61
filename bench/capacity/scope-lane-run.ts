import { performance } from 'node:perf_hooks';
import type { NotificationIntent } from '../../functions/core/policy/types';
import type { ScopeLanePart } from '../../functions/core/scope-lane';
import { seededRandom } from '../fixtures/random';
import {
  BULK_QUEUE_ARN,
  type ConcurrentRunOptions,
  type ConcurrentRunResult,
  Crash,
  closingSweep,
  containerStateRepository,
  invokeTriage,
  MAX_RECEIVE_COUNT,
  newCounts,
  type QueuedMessage,
  StandardQueue,
  triageContainer,
} from './concurrent-triage';

const LANE_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:capacity-scope-lane.fifo';
/** A FIFO event source takes at most 10 messages per batch (Lambda, docs/scaling.md [7]). */
const LANE_BATCH_SIZE = 10;

export interface ScopeLaneRunOptions extends ConcurrentRunOptions {
  /**
   * Drop a part whose deduplication id was queued before, as a FIFO queue does within 5 minutes (default).
   * Off, every copy reaches the lane, as after the 5 minutes: the lane's own exactly-once must hold.
   */
  readonly fifoDeduplication?: boolean;
}

export interface ScopeLaneRunResult extends ConcurrentRunResult {
  /** Invocations of the scope lane (the bulk lane's are `invocations`). */
  readonly laneInvocations: number;
  readonly laneCrashedInvocations: number;
  readonly partsQueued: number;
  /** Parts dropped as duplicates by the FIFO queue's deduplication. */
  readonly partsDeduplicated: number;
  /** Sum of the lane invocations' wall time. */
  readonly laneHandlerMs: number;
}

interface LaneMessage extends QueuedMessage {
  readonly groupId: string;
}

/**
 * A FIFO queue as Lambda's event source reads it: messages in order within a group, a group's messages
 * in at most one batch at a time (locked until that batch is done), a message given back going to the front
 * of its group.
 */
class FifoLane {
  private readonly groups = new Map<string, LaneMessage[]>();
  private readonly locked = new Set<string>();
  private readonly queued = new Set<string>();
  private seq = 0;
  size = 0;
  deduplicated = 0;
  deadLettered = 0;

  constructor(private readonly deduplicate: boolean) {}

  push(part: ScopeLanePart): void {
    if (this.deduplicate && this.queued.has(part.deduplicationId)) {
      this.deduplicated++;
      return;
    }
    this.queued.add(part.deduplicationId);
    const seq = this.seq++;
    const message = {
      messageId: `p-${seq}`,
      body: part.body,
      seq,
      copy: false,
      receiveCount: 0,
      groupId: part.groupId,
    };
    const group = this.groups.get(part.groupId);
    if (group) group.push(message);
    else this.groups.set(part.groupId, [message]);
    this.size++;
  }

  take(max: number): LaneMessage[] {
    const taken: LaneMessage[] = [];
    for (const [groupId, messages] of this.groups) {
      if (taken.length >= max) break;
      if (this.locked.has(groupId) || messages.length === 0) continue;
      this.locked.add(groupId);
      const batch = messages.splice(0, max - taken.length);
      if (messages.length === 0) this.groups.delete(groupId);
      for (const message of batch) message.receiveCount++;
      taken.push(...batch);
    }
    this.size -= taken.length;
    return taken;
  }

  /** The batch is done: `back` return to the front of their groups, in order; the groups unlock. */
  done(batch: readonly LaneMessage[], back: readonly LaneMessage[]): void {
    for (const message of [...back].reverse()) {
      if (message.receiveCount >= MAX_RECEIVE_COUNT) {
        this.deadLettered++;
        continue;
      }
      const group = this.groups.get(message.groupId);
      if (group) group.unshift(message);
      else this.groups.set(message.groupId, [message]);
      this.size++;
    }
    for (const message of batch) this.locked.delete(message.groupId);
  }
}

/**
 * The storm through one writer per scope (docs/scaling.md, "One writer per scope"): K bulk-lane handlers —
 * the real `createTriageHandler` with the scope lane on — split and forward the bulk queue's messages to
 * an in-memory FIFO lane, and K lane handlers — the same code, its lane's records — apply them against
 * dynalite, one batch per scope at a time. Failures as in `runConcurrentTriage`: every `crashEvery`-th bulk
 * invocation of the first pass dies after queueing some of its parts, every (4 × `crashEvery`)-th of the lane's
 * first invocations dies after its first scope write, and their messages come back; every `duplicateEvery`-th
 * bulk message is delivered twice.
 */
export async function runScopeLaneTriage(options: ScopeLaneRunOptions): Promise<ScopeLaneRunResult> {
  const random = seededRandom(options.seed ?? 7);
  const stateRepository = () => containerStateRepository(options);
  const counts = newCounts();
  const published: NotificationIntent[] = [];
  const lane = new FifoLane(options.fifoDeduplication ?? true);
  let partsQueued = 0;

  const container = () => {
    // Parts this container may still queue in its invocation before it dies (undefined: it does not die).
    const state: { partsLeft: number | undefined; died: boolean } = { partsLeft: undefined, died: false };
    const { repository, handler } = triageContainer(options, stateRepository(), counts, published, {
      fromQueueArn: BULK_QUEUE_ARN,
      queue: {
        send: async (parts) => {
          for (const part of parts) {
            if (state.partsLeft !== undefined && state.partsLeft-- <= 0) {
              state.died = true;
              throw new Crash('the invocation died');
            }
            lane.push(part);
            partsQueued++;
          }
          return { failed: new Set<number>() };
        },
      },
    });
    return { repository, handler, state };
  };

  const bulk = new StandardQueue(options.bodies, options.duplicateEvery ?? 0);
  const firstPass = Math.ceil(options.bodies.length / options.batchSize);
  const crashEvery = options.crashEvery ?? 0;
  let bulkInFlight = 0;
  let laneInFlight = 0;
  let invocations = 0;
  let crashedInvocations = 0;
  let gaveBackInvocations = 0;
  let laneMessagesGivenBack = 0;
  let handlerMs = 0;
  let laneInvocations = 0;
  let laneCrashedInvocations = 0;
  let laneHandlerMs = 0;

  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  const bulkWorker = async () => {
    let current = container();
    for (;;) {
      if (bulk.length === 0) {
        if (bulkInFlight === 0) return;
        await tick();
        continue;
      }
      const messages = bulk.take(options.batchSize);
      bulkInFlight++;
      const ordinal = ++invocations;
      const crashes = crashEvery > 0 && ordinal <= firstPass && ordinal % crashEvery === 0;
      current.state.partsLeft = crashes ? 1 + Math.floor(random() * 150) : undefined;
      current.state.died = false;
      const started = performance.now();
      const failedIds = await invokeTriage(current.handler, messages);
      handlerMs += performance.now() - started;
      if (current.state.died) {
        crashedInvocations++;
        current = container();
      }
      const back = messages.filter((message) => failedIds.has(message.messageId));
      if (back.length > 0) {
        gaveBackInvocations++;
        bulk.giveBack(back);
      }
      bulkInFlight--;
    }
  };

  const laneWorker = async () => {
    let current = container();
    for (;;) {
      const batch = lane.take(LANE_BATCH_SIZE);
      if (batch.length === 0) {
        if (bulk.length === 0 && bulkInFlight === 0 && laneInFlight === 0 && lane.size === 0) return;
        await tick();
        continue;
      }
      laneInFlight++;
      const ordinal = ++laneInvocations;
      const crashes = crashEvery > 0 && ordinal <= firstPass * 4 && ordinal % (crashEvery * 4) === 0;
      // It dies after its first scope write: some of its parts saved, none marked settled.
      current.repository.startInvocation(crashes ? 1 : undefined);
      const started = performance.now();
      let failedIds = await invokeTriage(current.handler, batch, LANE_QUEUE_ARN);
      laneHandlerMs += performance.now() - started;
      if (current.repository.crashed) {
        laneCrashedInvocations++;
        failedIds = new Set(batch.map((message) => message.messageId));
        current = container();
      }
      const back = batch.filter((message) => failedIds.has(message.messageId));
      laneMessagesGivenBack += back.length;
      lane.done(batch, back);
      laneInFlight--;
    }
  };

  const started = performance.now();
  await Promise.all([
    ...Array.from({ length: options.k }, bulkWorker),
    ...Array.from({ length: options.k }, laneWorker),
  ]);
  const wallMs = performance.now() - started;

  await closingSweep(options, stateRepository(), published);

  return {
    k: options.k,
    invocations,
    crashedInvocations,
    gaveBackInvocations,
    messagesGivenBack: bulk.messagesGivenBack + laneMessagesGivenBack,
    deadLettered: bulk.deadLettered + lane.deadLettered,
    all: counts.all,
    hot: counts.hot,
    retries: counts.retries,
    wallMs,
    handlerMs: handlerMs + laneHandlerMs,
    published,
    laneInvocations,
    laneCrashedInvocations,
    partsQueued,
    partsDeduplicated: lane.deduplicated,
    laneHandlerMs,
  };
}
