import { batchesByScope, type PolicyConfig } from './policy';
import { batchFingerprint, stableHash } from './policy/stable-hash';
import type { EventBatch } from './policy/types';
import { packEvents } from './queue-message';

/**
 * The scope lane (docs/design.md, "One writer per scope"): with `scopeLane.enabled`, the bulk lane's triage
 * does not write scopes; it splits each message by scope and sends each part to a FIFO queue whose message
 * group is the scope, so that one scope's events are applied by one invocation at a time, in order, and no
 * two invocations race on its record.
 */

/** One part of a queue message: its events of one scope, as a queue message of their own. */
export interface ScopeLanePart {
  /** The FIFO message group: the scope's hash (one group per scope, at most 128 characters). */
  readonly groupId: string;
  /** The part's batch id: `<fingerprint of the message's batch id>.<scope hash>-<n>`. */
  readonly batchId: string;
  /** FIFO deduplication id: the part's batch fingerprint (12 characters). */
  readonly deduplicationId: string;
  readonly body: string;
}

/**
 * The parts of `batch`, one or more per scope it touches (a part holds at most one queue message of
 * events). Deterministic: a message delivered again, in any invocation, gives the same parts with the same
 * batch ids, so the scope lane counts each part once (FIFO deduplication within 5 minutes, then the
 * scope's memory and the part's settled marker, as for any batch).
 */
export function scopeLaneParts(batch: EventBatch, config: PolicyConfig): ScopeLanePart[] {
  const message = batchFingerprint(batch.batchId);
  const parts: ScopeLanePart[] = [];
  for (const [key, scoped] of batchesByScope(batch, config)) {
    const groupId = stableHash(key);
    const batchPrefix = `${message}.${groupId}`;
    packEvents(scoped.events, { batchPrefix, receivedAt: batch.receivedAt }).forEach((body, n) => {
      const batchId = `${batchPrefix}-${n}`;
      parts.push({ groupId, batchId, deduplicationId: batchFingerprint(batchId), body });
    });
  }
  return parts;
}
