import type { PolicyConfig } from './config';
import { BATCH_FINGERPRINT_CHARS } from './stable-hash';

/**
 * The batches a scope has applied and that are not yet known to be settled (its idempotency memory,
 * DESIGN §7), kept in ONE string so a record stays small: 12-character tokens, oldest first. A token is
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
 * `dedupe.horizonSeconds` and `dedupe.maxBatchIds` stay as a bound on the record's size, no longer what
 * correctness rests on: they bind only on fingerprints whose marker was never written (a marker write that
 * failed after every scope was saved; the message was acknowledged, so only an SQS duplicate could bring it
 * back within the horizon).
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
const MARK_CODE = 126;

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

/** Start of the first time mark at or after token `from` (marks start tokens; `~` is nowhere else). */
function nextMark(recent: string, from: number): number {
  for (let at = recent.indexOf(MARK, from); at !== -1; at = recent.indexOf(MARK, at + 1)) {
    if (at % TOKEN === 0) return at;
  }
  return -1;
}

/** How many tokens of `recent` from token `from` on are time marks. */
function countMarks(recent: string, from = 0): number {
  let marks = 0;
  for (let at = nextMark(recent, from); at !== -1; at = nextMark(recent, at + TOKEN)) marks++;
  return marks;
}

/** The fingerprints among the remembered tokens (not the time marks), oldest first. */
export function rememberedFingerprints(recent: string): string[] {
  const fingerprints: string[] = [];
  for (let at = 0; at < recent.length; at += TOKEN) {
    if (recent[at] !== MARK) fingerprints.push(recent.slice(at, at + TOKEN));
  }
  return fingerprints;
}

/**
 * Forget the `settled` fingerprints (their markers make them skipped as a whole), and the time marks left
 * dating nothing. Returns `recent` itself when nothing is dropped.
 */
export function forgetBatches(recent: string, settled: ReadonlySet<string> | undefined): string {
  if (!settled || settled.size === 0 || recent.length === 0) return recent;
  let kept = '';
  let pendingMark = '';
  let dropped = false;
  for (let at = 0; at < recent.length; at += TOKEN) {
    const token = recent.slice(at, at + TOKEN);
    if (token[0] === MARK) {
      // A mark followed by another mark (or by nothing) dates nothing.
      if (pendingMark !== '') dropped = true;
      pendingMark = token;
    } else if (settled.has(token)) {
      dropped = true;
    } else {
      kept += pendingMark + token;
      pendingMark = '';
    }
  }
  if (pendingMark !== '') dropped = true;
  return dropped ? kept : recent;
}

// The last mark written: an invocation writes the same processing time into every scope it touches.
let lastMarkOf = { now: Number.NaN, mark: '' };

function markOf(now: number): string {
  if (now !== lastMarkOf.now) lastMarkOf = { now, mark: MARK + now.toString(36).padStart(TOKEN - 1, '0') };
  return lastMarkOf.mark;
}

function timeOfMark(recent: string, at: number): number {
  // Read in place when the mark is as markOf writes it (lowercase base-36 digits), else by parseInt.
  let time = 0;
  for (let i = at + 1; i < at + TOKEN; i++) {
    const c = recent.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 97 && c <= 122) digit = c - 87;
    else return Number.parseInt(recent.slice(at + 1, at + TOKEN), 36);
    time = time * 36 + digit;
  }
  // Exact below 2^53 (every mark markOf writes); beyond, parseInt's rounding is the reference.
  return time <= Number.MAX_SAFE_INTEGER ? time : Number.parseInt(recent.slice(at + 1, at + TOKEN), 36);
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
  const from = firstKeptMark(recent, now - dedupe.horizonSeconds * 1000, granule);
  // What is kept is `recent.slice(from) + mark`, read in `recent` itself (which the scan above made flat):
  // reading the slice or the concatenation would copy it again.
  const lastMark = lastMarkTime(recent, from);
  const mark = lastMark === undefined || !(lastMark <= now && now < lastMark + granule) ? markOf(now) : '';
  const added =
    fingerprints.length > dedupe.maxBatchIds ? fingerprints.slice(-dedupe.maxBatchIds) : fingerprints;
  // Whole tokens and no mark among the new ones: cap without reading the concatenation.
  // (A mark of another length than a token's, from a processing time that is no epoch-ms integer, is left
  // to the general path too.)
  let whole = (recent.length - from + mark.length) % TOKEN === 0 && (mark === '' || mark.length === TOKEN);
  let joined = '';
  for (const fingerprint of added) {
    if (fingerprint.length !== TOKEN || fingerprint.includes(MARK)) whole = false;
    joined += fingerprint;
  }
  if (whole) return cappedBefore(recent, from, mark, joined, added.length, dedupe.maxBatchIds);
  return capped(recent.slice(from) + mark + joined, dedupe.maxBatchIds);
}

/** Index of the first mark whose granule has not ended before the horizon: everything before it goes. */
function firstKeptMark(recent: string, horizon: number, granule: number): number {
  for (let at = nextMark(recent, 0); at !== -1; at = nextMark(recent, at + TOKEN)) {
    if (timeOfMark(recent, at) + granule > horizon) return at;
  }
  return recent.length;
}

/** Time of the last mark of `recent.slice(from)` (`from` starts a token: a mark, or the end). */
function lastMarkTime(recent: string, from: number): number | undefined {
  // The tokens looked at are those ending at the end of the string (whole tokens, for a well-formed one):
  // stepping back token by token finds the last one that is a mark (lastIndexOf is much slower here).
  for (let at = recent.length - TOKEN; at >= from; at -= TOKEN) {
    if (recent.charCodeAt(at) === MARK_CODE) return timeOfMark(recent, at);
  }
  return undefined;
}

/** Keep at most `max` fingerprints, dropping the oldest (and marks left with nothing after them). */
function capped(recent: string, max: number): string {
  return cappedBefore(recent, 0, '', '', 0, max);
}

/**
 * `capped(head + tail, max)` where `head` is `recent.slice(from) + mark` (`from` starts a token, `mark` is
 * empty or one time mark) and `tail` holds `tailCount` whole fingerprints and no mark (so, being at most
 * `max`, it never loses any): the cut falls in `head`, which is read in `recent`, and the result is built
 * from slices.
 */
function cappedBefore(
  recent: string,
  from: number,
  mark: string,
  tail: string,
  tailCount: number,
  max: number,
): string {
  // Positions below are in `head`; its own mark, if any, is at `markAt`.
  const markAt = recent.length - from;
  const tokens = Math.ceil((markAt + mark.length) / TOKEN);
  const count = tokens - countMarks(recent, from) - (mark === '' ? 0 : 1) + tailCount;
  if (count <= max) return recent.slice(from) + mark + tail;
  const nextInHead = (at: number): number => {
    const found = nextMark(recent, from + at);
    if (found !== -1) return found - from;
    return mark !== '' && at <= markAt ? markAt : -1;
  };
  // Walk mark to mark: the tokens between two marks are fingerprints.
  let drop = count - max;
  let lastMark = '';
  let at = 0;
  while (drop > 0) {
    const next = nextInHead(at);
    const fingerprintsBefore = ((next === -1 ? tokens * TOKEN : next) - at) / TOKEN;
    if (fingerprintsBefore >= drop) {
      at += drop * TOKEN;
      drop = 0;
    } else {
      drop -= fingerprintsBefore;
      lastMark = next < markAt ? recent.slice(from + next, from + next + TOKEN) : mark;
      at = next + TOKEN;
    }
  }
  // Re-date what is left of the group whose oldest fingerprints were dropped (its first character is read
  // from the parts: reading the concatenation would copy it).
  const rest = at <= markAt ? recent.slice(from + at) + mark + tail : tail;
  let startsWithMark: boolean;
  if (at < markAt) startsWithMark = recent.charCodeAt(from + at) === MARK_CODE;
  else if (at === markAt && mark !== '') startsWithMark = true;
  else startsWithMark = tail.startsWith(MARK);
  return startsWithMark ? rest : lastMark + rest;
}
