import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { TriageError } from '../core/errors';
import type { TriageEvent } from '../core/event';
import { packEvents } from '../core/queue-message';
import { encodeBatch } from '../shared/queue-body';

/** SendMessageBatch limits: 10 entries and 256 KiB of bodies per call. */
const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** Some events could not be queued: the caller must not report them as accepted. */
export class QueueSendError extends TriageError {
  override readonly name = 'QueueSendError';
}

/**
 * The urgent lane: events whose status may page someone at once (the policy's `immediateStatuses`, 500 by
 * default) go to their own queue, consumed with a short batching window, so that the bulk lane (every
 * other event: persistent 5xx, account issues, counters, which wait minutes by design) can use a long one.
 * Splitting a request's events between the lanes loses and doubles nothing: each event takes one lane, and
 * a scope that gets events from both (a 500 whose incident is open rides the bulk lane) is written
 * conditionally and remembers the batches it applied.
 */
export interface UrgentLane {
  readonly queueUrl: string;
  readonly statuses: ReadonlySet<number>;
  /**
   * Of the events with an urgent status, which still need the urgent lane (see OpenIncidents: not when their
   * incident is already open); every one when absent.
   */
  readonly stillUrgent?: (events: readonly TriageEvent[]) => Promise<readonly boolean[]>;
}

export interface EventQueueOptions {
  /** The bulk lane; every event when there is no urgent lane. */
  readonly queueUrl: string;
  readonly urgent?: UrgentLane;
  /** Defaults to one client per process (fauxqs queue URLs need `useQueueUrlAsEndpoint: false`). */
  readonly client?: SQSClient;
  /** Attempts per message, including the first (default 4). */
  readonly maxAttempts?: number;
  /** Backoff before retry n is `backoffMs * 2^(n-1)` (default 50 ms). */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SendOptions {
  /** Batch ids are `<batchPrefix>-<n>`: stable across a producer's retries, the unit of idempotency. */
  readonly batchPrefix: string;
  /** Receive time (epoch ms), the event time of events without `occurredAt`. */
  readonly receivedAt: number;
  /**
   * The producer sends the same events again with the same prefix (a client's ids, a log payload's hash):
   * then a batch's events must not depend on when it is sent. The urgent-status events keep batches of their
   * own (`<prefix>-u-<n>`) whichever lane takes them — the urgent lane when any of them still pages, else
   * the bulk lane — so a retry that finds their incident opened (or no longer open) sends the same
   * batches, which the settled markers let through once, and the bulk lane's batches never change.
   */
  readonly stable?: boolean;
}

export interface SendResult {
  readonly messages: number;
  /** Urgent-status events: `<batchPrefix>-u-<n>`; the others `<batchPrefix>-<n>`. */
  readonly batchIds: string[];
  /** Of `batchIds`, those sent to each lane's queue (all bulk without an urgent lane). */
  readonly lanes: { readonly urgent: readonly string[]; readonly bulk: readonly string[] };
}

export interface BatchSendResult {
  readonly batchId: string;
  /** The lane whose queue took the message. */
  readonly lane: 'urgent' | 'bulk';
}

/** Suffix of the urgent lane's batch prefix: its ids never collide with the bulk lane's. */
const URGENT_BATCH_SUFFIX = '-u';

let defaultClient: SQSClient | undefined;
function sharedClient(): SQSClient {
  defaultClient ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return defaultClient;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One message to send: its entry id in the call, body, size, and FIFO attributes. */
export interface Outgoing {
  readonly id: string;
  readonly body: string;
  readonly bytes: number;
  /** FIFO queues only: the message group and the deduplication id. */
  readonly groupId?: string;
  readonly deduplicationId?: string;
}

/** Group messages into SendMessageBatch calls that respect both per-call limits. */
function toCalls(messages: readonly Outgoing[]): Outgoing[][] {
  const calls: Outgoing[][] = [];
  let current: Outgoing[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (
      current.length > 0 &&
      (current.length === MAX_ENTRIES_PER_CALL || bytes + message.bytes > MAX_BYTES_PER_CALL)
    ) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** Events packed into queue message bodies, and their batch ids (`<batchPrefix>-<n>`). */
function pack(
  events: readonly TriageEvent[],
  options: SendOptions,
): { bodies: string[]; batchIds: string[] } {
  const bodies = events.length === 0 ? [] : packEvents(events, options);
  return { bodies, batchIds: bodies.map((_, n) => `${options.batchPrefix}-${n}`) };
}

/** The events queue: canonical events packed into queue messages (core/queue-message.ts). */
export class EventQueue {
  readonly #queueUrl: string;
  readonly #urgent: UrgentLane | undefined;
  readonly #sender: BatchSender;

  constructor(options: EventQueueOptions) {
    this.#queueUrl = options.queueUrl;
    this.#urgent = options.urgent;
    this.#sender = new BatchSender(options);
  }

  /**
   * Pack events into ≤256 KiB messages, send them with SendMessageBatch and retry entries that failed
   * (on the service's side) with a short backoff. With an urgent lane, the events that still page are
   * packed and sent to its queue, in parallel with the rest (see SendOptions.stable for a producer's
   * retries). Throws QueueSendError if any message was not queued.
   */
  async send(events: readonly TriageEvent[], options: SendOptions): Promise<SendResult> {
    const urgent = this.#urgent;
    if (!urgent) {
      const { bodies, batchIds } = pack(events, options);
      await this.#sendAll(this.#queueUrl, bodies);
      return { messages: bodies.length, batchIds, lanes: { urgent: [], bulk: batchIds } };
    }
    const candidates = events.filter((event) => urgent.statuses.has(event.status));
    const verdicts =
      urgent.stillUrgent && candidates.length > 0 ? await urgent.stillUrgent(candidates) : undefined;
    const pages = (n: number) => verdicts?.[n] !== false;
    let toUrgent: readonly TriageEvent[];
    let toBulk: readonly TriageEvent[];
    // Urgent-status events sent to the bulk queue under the urgent prefix (a stable send's, none paging).
    let asideToBulk: readonly TriageEvent[] = [];
    if (options.stable) {
      if (candidates.some((_, n) => pages(n))) toUrgent = candidates;
      else [toUrgent, asideToBulk] = [[], candidates];
      toBulk = events.filter((event) => !urgent.statuses.has(event.status));
    } else {
      const paging = new Set(candidates.filter((_, n) => pages(n)));
      toUrgent = events.filter((event) => paging.has(event));
      toBulk = events.filter((event) => !paging.has(event));
    }
    const urgentPrefix = { ...options, batchPrefix: `${options.batchPrefix}${URGENT_BATCH_SUFFIX}` };
    const urgentBatches = pack(toUrgent, urgentPrefix);
    const bulkBatches = [pack(asideToBulk, urgentPrefix), pack(toBulk, options)];
    const bulkBodies = bulkBatches.flatMap((batches) => batches.bodies);
    await Promise.all([
      this.#sendAll(urgent.queueUrl, urgentBatches.bodies),
      this.#sendAll(this.#queueUrl, bulkBodies),
    ]);
    const bulk = bulkBatches.flatMap((batches) => batches.batchIds);
    return {
      messages: urgentBatches.bodies.length + bulkBodies.length,
      batchIds: [...urgentBatches.batchIds, ...bulk],
      lanes: { urgent: urgentBatches.batchIds, bulk },
    };
  }

  /**
   * Queue a webhook request's events as ONE message (core/queue-message.ts encodeBatch), so the request is
   * queued whole or not at all: the urgent lane's queue when any of its events still pages, else the bulk
   * lane's. Encoding happens before the send and refuses (BatchTooLargeError, a 413) what cannot fit. The
   * batch id is the unit of exactly-once whichever lane takes it, so a retried request with the same id
   * counts once even if its 500s change lanes in between. Throws QueueSendError if the message was not
   * queued.
   */
  async sendBatch(
    events: readonly TriageEvent[],
    options: { readonly batchId: string; readonly receivedAt: number },
  ): Promise<BatchSendResult> {
    const body = encodeBatch(events, options);
    const urgent = this.#urgent;
    const candidates = urgent ? events.filter((event) => urgent.statuses.has(event.status)) : [];
    let lane: BatchSendResult['lane'] = 'bulk';
    if (urgent && candidates.length > 0) {
      const verdicts = urgent.stillUrgent ? await urgent.stillUrgent(candidates) : undefined;
      if (candidates.some((_, n) => verdicts?.[n] !== false)) lane = 'urgent';
    }
    await this.#sendAll(lane === 'urgent' && urgent ? urgent.queueUrl : this.#queueUrl, [body]);
    return { batchId: options.batchId, lane };
  }

  #sendAll(queueUrl: string, bodies: readonly string[]): Promise<void> {
    return this.#sender.sendAll(
      queueUrl,
      bodies.map((body, n) => ({ id: `m${n}`, body, bytes: Buffer.byteLength(body) })),
    );
  }
}

/** SendMessageBatch with retries of the entries that failed on the service's side. */
export class BatchSender {
  readonly #client: SQSClient;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: Omit<EventQueueOptions, 'queueUrl' | 'urgent'>) {
    this.#client = options.client ?? sharedClient();
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#backoffMs = options.backoffMs ?? 50;
    this.#sleep = options.sleep ?? wait;
  }

  /** Send messages to a queue, in SendMessageBatch calls within both limits. */
  async sendAll(queueUrl: string, messages: readonly Outgoing[]): Promise<void> {
    for (const call of toCalls(messages)) await this.#sendWithRetries(queueUrl, call);
  }

  /**
   * Send messages to a queue in SendMessageBatch calls, each call on its own: the ids of the messages that
   * could not be queued (none when all were), instead of stopping at the first call that failed.
   */
  async sendEach(
    queueUrl: string,
    messages: readonly Outgoing[],
  ): Promise<{ failedIds: Set<string>; problem?: string }> {
    const failedIds = new Set<string>();
    let problem: string | undefined;
    for (const call of toCalls(messages)) {
      try {
        await this.#sendWithRetries(queueUrl, call);
      } catch (error) {
        problem = (error as Error).message;
        for (const message of call) failedIds.add(message.id);
      }
    }
    return { failedIds, ...(problem !== undefined ? { problem } : {}) };
  }

  async #sendWithRetries(queueUrl: string, call: readonly Outgoing[]): Promise<void> {
    let pending = call;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) await this.#sleep(this.#backoffMs * 2 ** (attempt - 2));
      let failedIds: Set<string>;
      try {
        const entries: SendMessageBatchRequestEntry[] = pending.map((m) => ({
          Id: m.id,
          MessageBody: m.body,
          ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
          ...(m.deduplicationId !== undefined ? { MessageDeduplicationId: m.deduplicationId } : {}),
        }));
        const result = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        const failed = result.Failed ?? [];
        // A sender fault (e.g. a malformed entry) fails the same way on every retry.
        const senderFault = failed.find((entry) => entry.SenderFault);
        if (senderFault) {
          throw new QueueSendError(
            `the events queue rejected a message: ${senderFault.Code ?? 'unknown'} ${senderFault.Message ?? ''}`.trim(),
          );
        }
        failedIds = new Set(failed.map((entry) => entry.Id ?? ''));
        lastProblem = failed.map((entry) => entry.Code ?? 'unknown').join(', ');
      } catch (error) {
        if (error instanceof QueueSendError) throw error;
        failedIds = new Set(pending.map((m) => m.id));
        lastProblem = (error as Error).message;
        if (attempt === this.#maxAttempts) {
          throw new QueueSendError(`could not queue ${pending.length} message(s): ${lastProblem}`, {
            cause: error,
          });
        }
      }
      pending = pending.filter((m) => failedIds.has(m.id));
      if (pending.length === 0) return;
    }
    throw new QueueSendError(
      `could not queue ${pending.length} message(s) after ${this.#maxAttempts} attempts: ${lastProblem}`,
    );
  }
}
