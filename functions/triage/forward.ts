import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { ScopeLaneQueue } from '../adapters/scope-lane-queue';
import { type ScopeLanePart, scopeLaneParts } from '../core/scope-lane';
import { MetricUnit } from '../shared/metrics';
import { parseRecord } from './records';
import type { TriageDeps } from './triage';

/** Where the bulk lane's messages go when the scope lane is on (`scopeLane.enabled`). */
export interface ScopeLaneForwarding {
  /** The queue whose messages are split and forwarded (the bulk lane's ARN); others are triaged here. */
  readonly fromQueueArn: string;
  readonly queue: Pick<ScopeLaneQueue, 'send'>;
}

/**
 * The first stage of one writer per scope (core/scope-lane.ts): split each message by scope and queue
 * its parts on the scope lane, where the same triage code applies them, one invocation per scope at a time.
 * No state is read or written here. A message is acknowledged once all its parts are queued; one that does
 * not parse is reported (it reaches the dead-letter queue), and one whose parts could not all be queued is
 * given back, to be split again into the same parts (deduplicated by the lane: see `scopeLaneParts`).
 */
export async function forwardRecords(
  records: readonly SQSRecord[],
  forwarding: ScopeLaneForwarding,
  deps: Pick<TriageDeps, 'config' | 'logger' | 'metrics'>,
): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const parts: ScopeLanePart[] = [];
  /** The messages (all copies SQS delivered) each part came from. */
  const partOwners: string[][] = [];
  const seen = new Map<string, string[]>();
  deps.metrics.addMetric('QueueMessagesReceived', MetricUnit.Count, records.length);
  for (const record of records) {
    const batch = parseRecord(record, failed, deps);
    if (!batch) continue;
    const copies = seen.get(batch.batchId);
    // A second copy of a message SQS delivered twice: the same parts, acknowledged with the first's.
    if (copies) {
      copies.push(record.messageId);
      continue;
    }
    const owners = [record.messageId];
    seen.set(batch.batchId, owners);
    for (const part of scopeLaneParts(batch, deps.config)) {
      parts.push(part);
      partOwners.push(owners);
    }
  }
  if (parts.length > 0) {
    const result = await forwarding.queue.send(parts);
    for (const index of result.failed) for (const id of partOwners[index] ?? []) failed.add(id);
    const sent = parts.length - result.failed.size;
    deps.metrics.addMetric('ScopeLanePartsQueued', MetricUnit.Count, sent);
    if (result.failed.size > 0) {
      deps.metrics.addMetric('ScopeLaneSendFailures', MetricUnit.Count, result.failed.size);
      deps.logger.warn('could not queue parts on the scope lane; their messages will be redelivered', {
        parts: result.failed.size,
        error: result.problem,
      });
    }
  }
  return {
    batchItemFailures: records
      .filter((record) => failed.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
}
