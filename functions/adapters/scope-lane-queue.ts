import type { ScopeLanePart } from '../core/scope-lane';
import { BatchSender, type EventQueueOptions } from './event-queue';

/**
 * The scope lane's FIFO queue (core/scope-lane.ts): parts are sent in SendMessageBatch calls, each with its
 * scope's message group and its deduplication id, so a part sent twice within 5 minutes is queued once.
 */
export class ScopeLaneQueue {
  readonly #sender: BatchSender;

  constructor(
    readonly queueUrl: string,
    options: Omit<EventQueueOptions, 'queueUrl' | 'urgent'> = {},
  ) {
    this.#sender = new BatchSender(options);
  }

  /**
   * Queue `parts`, in order within each group. Resolves with the parts that could not be queued (by
   * index), so the caller gives back only the messages they came from.
   */
  async send(parts: readonly ScopeLanePart[]): Promise<{ failed: Set<number>; problem?: string }> {
    const { failedIds, problem } = await this.#sender.sendEach(
      this.queueUrl,
      parts.map((part, n) => ({
        id: `p${n}`,
        body: part.body,
        bytes: Buffer.byteLength(part.body),
        groupId: part.groupId,
        deduplicationId: part.deduplicationId,
      })),
    );
    const failed = new Set([...failedIds].map((id) => Number(id.slice(1))));
    return { failed, ...(problem !== undefined ? { problem } : {}) };
  }
}
