import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { TriageError } from '../core/errors';
import type { TriageEvent } from '../core/event';
import { packEvents } from '../core/queue-message';

/** SendMessageBatch limits: 10 entries and 256 KiB of bodies per call. */
const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** Some events could not be queued: the caller must not report them as accepted. */
export class QueueSendError extends TriageError {
  override readonly name = 'QueueSendError';
}

export interface EventQueueOptions {
  readonly queueUrl: string;
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
}

export interface SendResult {
  readonly messages: number;
  readonly batchIds: string[];
}

let defaultClient: SQSClient | undefined;
function sharedClient(): SQSClient {
  defaultClient ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return defaultClient;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Outgoing {
  readonly id: string;
  readonly body: string;
  readonly bytes: number;
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

/** The events queue: canonical events packed into queue messages (core/queue-message.ts). */
export class EventQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: EventQueueOptions) {
    this.#queueUrl = options.queueUrl;
    this.#client = options.client ?? sharedClient();
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#backoffMs = options.backoffMs ?? 50;
    this.#sleep = options.sleep ?? wait;
  }

  /**
   * Pack events into ≤256 KiB messages, send them with SendMessageBatch and retry entries that failed
   * (on the service's side) with a short backoff. Throws QueueSendError if any message was not queued.
   */
  async send(events: readonly TriageEvent[], options: SendOptions): Promise<SendResult> {
    const bodies = events.length === 0 ? [] : packEvents(events, options);
    const messages = bodies.map((body, n) => ({ id: `m${n}`, body, bytes: Buffer.byteLength(body) }));
    const batchIds = bodies.map((_, n) => `${options.batchPrefix}-${n}`);
    for (const call of toCalls(messages)) await this.#sendWithRetries(call);
    return { messages: messages.length, batchIds };
  }

  async #sendWithRetries(call: readonly Outgoing[]): Promise<void> {
    let pending = call;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) await this.#sleep(this.#backoffMs * 2 ** (attempt - 2));
      let failedIds: Set<string>;
      try {
        const entries: SendMessageBatchRequestEntry[] = pending.map((m) => ({
          Id: m.id,
          MessageBody: m.body,
        }));
        const result = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
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
