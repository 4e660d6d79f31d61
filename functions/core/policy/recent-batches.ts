import type { PolicyConfig } from './config';
import { BATCH_FINGERPRINT_CHARS } from './stable-hash';

/**
 * The batches a scope has applied and that are not yet known to be settled (its idempotency memory,
 * docs/design.md, "Exactly once"), kept in ONE string so a record stays small: 12-character tokens, oldest first. A token is
 * either a batch fingerprint (base64url, see `batchFingerprint`) or a time mark, `~` + the processing time
 * (epoch ms, base36, zero-padded), that dates the fingerprints after it. Marks are written once per granule
 * (1/32 of the horizon, at least a minute), so a scope pays about one mark per many batches.
 *
 * Why counting is exact at any traffic. A queue message (one batch) is *settled* once every scope it
 * touched has been saved: the triage handler then writes a marker item `settled#<fingerprint>` that lives
 * 14 days (SQS's longest retention, so a dead-letter-queue redrive is covered too).
 * 1. A message is skipped as a whole only when its marker exists, i.e. after all its scope writes succeeded.
 * 2. Until then, every scope it updated remembers its fingerprint (written in the same conditional write as
 *    its events), so a retry after a partial failure, a Lambda timeout or a duplicate delivery skips the
 *    scopes it already updated and applies it to the others.
 * 3. A scope forgets a fingerprint only once its marker exists (`forgetBatches`, with markers read after
 *    the scope was read and again after every reload on a lost race): from then on (1) covers it.
 * So SQS duplicates, Lambda timeouts, partial failures and redrives within 14 days each count once, and a
 * record holds only the few batches in flight, however hot the scope (~24 characters at steady state).
 *
 * `dedupe.horizonSeconds` and `dedupe.maxBatchIds` bound the record's size, and (3) holds only within them:
 * a fingerprint dropped by the cap or the horizon before its marker exists counts again if its message comes
 * back. A hot scope holds the unsettled batches of every invocation in flight (up to the bulk lane's
 * concurrency × 100 messages) and of every failed invocation until its messages return, so the cap must stay
 * far above that (docs/scaling.md, "Exactly once under concurrency"); the horizon (2 h) outlasts every
 * redelivery but a late dead-letter-queue redrive.
 * What remains inexact: a redrive more than 14 days after the first receive (its marker has expired), or a
 * marker that TTL removed while a copy was still in flight: such a message counts again in the scopes that
 * had already forgotten it. It never repeats a notification: each transition is recorded in the same
 * version-checked (conditional) write as the notification it emits, and notification ids derive from the
 * subject and its notice count. Re-applied events can inflate counts (an account group still open may owe
 * one `updated` notice for the inflated count), but cannot open anything on their own: events older than
 * the persistence window, or than the account quiet period, never open an incident or a group.
 */

const TOKEN = BATCH_FINGERPRINT_CHARS;
const MARK = '~';

type Dedupe = PolicyConfig['dedupe'];

/** The tokens of a remembered-batches string, oldest first. */
function tokensOf(recent: string): string[] {
  const tokens: string[] = [];
  for (let at = 0; at < recent.length; at += TOKEN) tokens.push(recent.slice(at, at + TOKEN));
  return tokens;
}

const isMark = (token: string): boolean => token.startsWith(MARK);
const markOf = (now: number): string => MARK + now.toString(36).padStart(TOKEN - 1, '0');
const timeOf = (mark: string): number => Number.parseInt(mark.slice(1), 36);

/** The fingerprints among the remembered tokens (not the time marks), oldest first. */
export function rememberedFingerprints(recent: string): string[] {
  return tokensOf(recent).filter((token) => !isMark(token));
}

/** Which of `fingerprints` are remembered, in their order. */
export function rememberedAmong(recent: string, fingerprints: readonly string[]): boolean[] {
  const remembered = new Set(rememberedFingerprints(recent));
  return fingerprints.map((fingerprint) => remembered.has(fingerprint));
}

/** Forget the `settled` fingerprints (their markers make them skipped as a whole), and the marks left dating nothing. */
export function forgetBatches(recent: string, settled: ReadonlySet<string> | undefined): string {
  if (!settled || settled.size === 0) return recent;
  const kept: string[] = [];
  let mark: string | undefined;
  for (const token of tokensOf(recent)) {
    if (isMark(token)) mark = token;
    else if (!settled.has(token)) {
      if (mark !== undefined) kept.push(mark);
      mark = undefined;
      kept.push(token);
    }
  }
  return kept.join('');
}

/**
 * Remember `fingerprints` (applied at processing time `now`) and forget what is past the horizon or over
 * the cap. Marks are written once per granule (1/32 of the horizon, at least a minute).
 */
export function rememberBatches(
  recent: string,
  fingerprints: readonly string[],
  now: number,
  dedupe: Dedupe,
): string {
  if (fingerprints.length === 0) return recent;
  const granule = Math.max(60, dedupe.horizonSeconds / 32) * 1000;
  const horizon = now - dedupe.horizonSeconds * 1000;
  const tokens = tokensOf(recent);
  // Everything before the first mark whose granule has not ended before the horizon goes.
  const first = tokens.findIndex((token) => isMark(token) && timeOf(token) + granule > horizon);
  const kept = first === -1 ? [] : tokens.slice(first);
  const lastMark = kept.findLast(isMark);
  if (lastMark === undefined || !(timeOf(lastMark) <= now && now < timeOf(lastMark) + granule)) {
    kept.push(markOf(now));
  }
  kept.push(...fingerprints.slice(-dedupe.maxBatchIds));
  return capped(kept, dedupe.maxBatchIds).join('');
}

/** Keep at most `max` fingerprints, dropping the oldest (and marks left with nothing after them). */
function capped(tokens: readonly string[], max: number): readonly string[] {
  let drop = tokens.filter((token) => !isMark(token)).length - max;
  if (drop <= 0) return tokens;
  let lastMark: string | undefined;
  let at = 0;
  for (; at < tokens.length && drop > 0; at++) {
    const token = tokens[at] as string;
    if (isMark(token)) lastMark = token;
    else drop--;
  }
  const rest = tokens.slice(at);
  // Re-date what is left of the group whose oldest fingerprints were dropped.
  const [next] = rest;
  return (next !== undefined && isMark(next)) || lastMark === undefined ? rest : [lastMark, ...rest];
}
