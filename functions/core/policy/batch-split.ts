import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import type { ErrorRun } from './error-run';
import { eventTime } from './event-time';
import { type ScopeDescriptor, scopeDescriber } from './scope-key';
import { batchFingerprint } from './stable-hash';
import type { EventBatch } from './types';

/**
 * A batch split by scope, columnar: its events laid out grouped by scope (stable) in one array, their event
 * times in another, and per scope (in order of first appearance) its descriptor, key and run, a range of
 * those two columns. A batch of one scope (a storm) uses its own columns as they are.
 */
export interface SplitBatch {
  readonly config: PolicyConfig;
  readonly fingerprint: string;
  readonly keys: readonly string[];
  readonly descriptors: readonly ScopeDescriptor[];
  readonly runs: readonly ErrorRun[];
}

// Each batch is split by scope once per config, in one pass, not once per scope key that asks for its events.
const splitBatches = new WeakMap<EventBatch, SplitBatch>();

// Scratch column of each event's group, reused from batch to batch (a batch is split in one go), and per
// group its descriptor and event count (then where its next event goes). The split's own arrays are exact
// copies of them: arrays grown by push leave their outgrown stores behind, garbage per batch.
const groupOf: number[] = [];
const groupDescriptors: ScopeDescriptor[] = [];
const next: number[] = [];
// Per descriptor slot: the split that last saw it, and its group there. Grown as slots appear.
let stampAt = new Int32Array(256);
let groupAt = new Int32Array(256);
let splits = 0;
const MAX_SPLIT = 0x7fffffff;

function growSlots(slot: number): void {
  const size = Math.max(slot + 1, stampAt.length * 2);
  const stamps = new Int32Array(size);
  stamps.set(stampAt);
  const groups = new Int32Array(size);
  groups.set(groupAt);
  stampAt = stamps;
  groupAt = groups;
}
const MAX_SCRATCH = 4096;

/** The batch split by scope under `config` (cached per batch object). */
export function splitBatch(batch: EventBatch, config: PolicyConfig): SplitBatch {
  const cached = splitBatches.get(batch);
  if (cached?.config === config) return cached;
  const describe = scopeDescriber(config);
  const { events, receivedAt } = batch;
  const n = events.length;
  // Times the queue message parser already read are taken as they are (never written to: a one-scope batch
  // shares them with its run).
  const given = batch.times !== undefined && batch.times.length === n ? batch.times : undefined;
  let times: readonly number[];
  if (given) times = given;
  else {
    const parsed: number[] = [];
    for (let i = 0; i < n; i++) parsed.push(eventTime((events[i] as TriageEvent).occurredAt, receivedAt));
    times = parsed;
  }
  const descriptors = groupDescriptors;
  descriptors.length = 0;
  next.length = 0;
  // Descriptors are numbered within their cache (`slot`): a slot stamped with this split's number has its
  // group in groupAt. All descriptors of one split come from one cache, so their slots differ.
  if (splits === MAX_SPLIT) {
    // After 2^31 splits the stamps start over, from a clean table.
    splits = 0;
    stampAt.fill(0);
  }
  const split = ++splits;
  for (let i = 0; i < n; i++) {
    const descriptor = describe(events[i] as TriageEvent);
    const { slot } = descriptor;
    if (slot >= stampAt.length) growSlots(slot);
    let g: number;
    if (stampAt[slot] === split) g = groupAt[slot] as number;
    else {
      g = descriptors.length;
      stampAt[slot] = split;
      groupAt[slot] = g;
      descriptors.push(descriptor);
      next.push(0);
    }
    next[g] = (next[g] as number) + 1;
    groupOf[i] = g;
  }
  const groups = descriptors.length;
  const keys: string[] = new Array(groups);
  const runs: ErrorRun[] = new Array(groups);
  if (groups === 1) {
    keys[0] = (descriptors[0] as ScopeDescriptor).key;
    runs[0] = { events, times, start: 0, end: n, values: batch.values };
  } else if (groups > 1) {
    // Copies to scatter into: same element kinds as the columns, so the writes below never convert them.
    const ordered = events.slice();
    const orderedTimes = times.slice();
    let start = 0;
    for (let d = 0; d < groups; d++) {
      const end = start + (next[d] as number);
      keys[d] = (descriptors[d] as ScopeDescriptor).key;
      runs[d] = { events: ordered, times: orderedTimes, start, end, values: batch.values };
      next[d] = start;
      start = end;
    }
    for (let i = 0; i < n; i++) {
      const d = groupOf[i] as number;
      const at = next[d] as number;
      next[d] = at + 1;
      ordered[at] = events[i] as TriageEvent;
      orderedTimes[at] = times[i] as number;
    }
  }
  // Keep the scratch column small after an unusually large batch.
  if (groupOf.length > MAX_SCRATCH) groupOf.length = 0;
  const entry = {
    config,
    fingerprint: cached?.fingerprint ?? batchFingerprint(batch.batchId),
    keys,
    descriptors: descriptors.slice(),
    runs,
  };
  // The scratch arrays hold no descriptor beyond the split (the cache may drop them).
  descriptors.length = 0;
  splitBatches.set(batch, entry);
  return entry;
}
