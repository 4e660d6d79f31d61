import type { PolicyConfig } from './config';
import { BATCH_FINGERPRINT_CHARS } from './stable-hash';

/**
 * The batches a scope has applied recently (its idempotency memory, DESIGN §7), kept in ONE string so a
 * record stays small: 12-character tokens, oldest first. A token is either a batch fingerprint (base64url,
 * see `batchFingerprint`) or a time mark, `~` + the processing time (epoch ms, base36, zero-padded), that
 * dates the fingerprints after it. Marks are written once per granule (1/32 of the horizon, at least a
 * minute), so a busy scope pays about one mark per many batches instead of a time per batch: 256 batches
 * cost ~3.1 KB instead of the ~35 KB of `[fingerprint, time]` pairs.
 *
 * A fingerprint is remembered for at least `dedupe.horizonSeconds` (at most one granule longer), and at
 * most `dedupe.maxBatchIds` are kept (the oldest go first).
 *
 * Why the 2 h default horizon covers SQS redelivery: a message comes back when its visibility timeout
 * expires, and goes to the dead-letter queue after `maxReceiveCount` receives, so every automatic
 * redelivery happens within visibility timeout × maxReceiveCount of the first receive — with the stack's
 * defaults (6 × the 30 s triage timeout + the 1 s batching window = 181 s, × 5 receives) about 15 minutes.
 * Two hours leaves a wide margin for retries of a throttled or failing function. The cap can bind first on
 * a scope that sees more than 256 batches within that time (over ~1 batch every 3.5 s): a redelivery after
 * that many newer batches counts its events again in that scope.
 * Trade-off: a dead-letter-queue redrive later than the horizon counts its events again in the scopes the
 * message had already updated. It never repeats a notification: each transition is recorded in the same
 * version-checked (conditional) write as the notification it emits, and notification ids derive from the
 * subject and its notice count, so re-applied events cannot re-issue a notice already decided. They can
 * inflate counts: an account group still open may owe (and send) one `updated` notice for the inflated
 * count. They cannot open anything on their own: events older than the persistence window, or than the
 * account quiet period, never open an incident or a group.
 */

const TOKEN = BATCH_FINGERPRINT_CHARS;
const MARK = '~';

type Dedupe = PolicyConfig['dedupe'];

/** Whether `fingerprint` is among the remembered batches (only whole tokens match). */
export function isRemembered(recent: string, fingerprint: string): boolean {
  for (let at = recent.indexOf(fingerprint); at !== -1; at = recent.indexOf(fingerprint, at + 1)) {
    if (at % TOKEN === 0) return true;
  }
  return false;
}

// Scratch table for rememberedAmong: bit j of slot c is set when candidate j starts with char code c.
const byFirstChar = new Uint32Array(128);

/**
 * Which of `fingerprints` are remembered: one pass over the tokens for all of them (an invocation checks
 * up to 10 batches per scope), instead of one search of the whole string per batch.
 */
export function rememberedAmong(recent: string, fingerprints: readonly string[]): boolean[] {
  const found = fingerprints.map(() => false);
  if (recent.length === 0) return found;
  if (fingerprints.length === 1 || fingerprints.length > 32) {
    return fingerprints.map((fingerprint) => isRemembered(recent, fingerprint));
  }
  fingerprints.forEach((fingerprint, j) => {
    const slot = fingerprint.charCodeAt(0) & 127;
    byFirstChar[slot] = (byFirstChar[slot] as number) | (1 << j);
  });
  for (let at = 0; at < recent.length; at += TOKEN) {
    let candidates = byFirstChar[recent.charCodeAt(at) & 127] as number;
    for (let j = 0; candidates !== 0; j++, candidates >>>= 1) {
      if (candidates & 1 && recent.startsWith(fingerprints[j] as string, at)) found[j] = true;
    }
  }
  for (const fingerprint of fingerprints) byFirstChar[fingerprint.charCodeAt(0) & 127] = 0;
  return found;
}

function markOf(now: number): string {
  return MARK + now.toString(36).padStart(TOKEN - 1, '0');
}

function timeOfMark(recent: string, at: number): number {
  return Number.parseInt(recent.slice(at + 1, at + TOKEN), 36);
}

function granuleMs(dedupe: Dedupe): number {
  return Math.max(60, dedupe.horizonSeconds / 32) * 1000;
}

/**
 * Remember `fingerprints` (applied at processing time `now`) and forget what is past the horizon or over
 * the cap. Returns the new string; the input is not modified (strings never are).
 */
export function rememberBatches(
  recent: string,
  fingerprints: readonly string[],
  now: number,
  dedupe: Dedupe,
): string {
  const granule = granuleMs(dedupe);
  if (fingerprints.length === 0) return recent;
  let kept = recent.slice(firstKeptMark(recent, now - dedupe.horizonSeconds * 1000, granule));
  const lastMark = lastMarkTime(kept);
  if (lastMark === undefined || !(lastMark <= now && now < lastMark + granule)) kept += markOf(now);
  const added =
    fingerprints.length > dedupe.maxBatchIds ? fingerprints.slice(-dedupe.maxBatchIds) : fingerprints;
  return capped(kept + added.join(''), dedupe.maxBatchIds);
}

/** Index of the first mark whose granule has not ended before the horizon: everything before it goes. */
function firstKeptMark(recent: string, horizon: number, granule: number): number {
  for (let at = 0; at < recent.length; at += TOKEN) {
    if (recent[at] === MARK && timeOfMark(recent, at) + granule > horizon) return at;
  }
  return recent.length;
}

function lastMarkTime(recent: string): number | undefined {
  for (let at = recent.length - TOKEN; at >= 0; at -= TOKEN) {
    if (recent[at] === MARK) return timeOfMark(recent, at);
  }
  return undefined;
}

/** Keep at most `max` fingerprints, dropping the oldest (and marks left with nothing after them). */
function capped(recent: string, max: number): string {
  let count = 0;
  for (let at = 0; at < recent.length; at += TOKEN) if (recent[at] !== MARK) count++;
  if (count <= max) return recent;
  let drop = count - max;
  let lastMark = '';
  let at = 0;
  for (; at < recent.length && drop > 0; at += TOKEN) {
    if (recent[at] === MARK) lastMark = recent.slice(at, at + TOKEN);
    else drop--;
  }
  // Re-date what is left of the group whose oldest fingerprints were dropped.
  const rest = recent.slice(at);
  return rest.startsWith(MARK) ? rest : lastMark + rest;
}
