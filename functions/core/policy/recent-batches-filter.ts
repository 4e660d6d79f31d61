import { isRemembered, rememberedAmong } from './recent-batches';
import { BATCH_FINGERPRINT_CHARS } from './stable-hash';

/**
 * Which of an invocation's batches a scope already remembers, without reading its `recentBatches` string
 * each time (see recent-batches.ts). Per scope key, the last string seen or written is kept with a
 * two-hash bit filter of its fingerprints: a batch whose bits are not both set is certainly not remembered;
 * one whose bits are is looked up in the string itself. So answers are always exactly `rememberedAmong`'s.
 *
 * The filter of a string the engine writes is derived, not rebuilt: `rememberBatches` and `forgetBatches`
 * only keep whole tokens of the string they were given and append the new fingerprints, so the old filter
 * plus the new fingerprints' bits covers the new string. Fingerprints dropped since stay set (only costing a
 * string look-up when asked about), so the filter is rebuilt from its string once as many were added as it
 * held. A string that is not the scope's last one (another record for the same key, a reload) gets a filter
 * built from one pass over its tokens. Bounded: at most MAX_SCOPES filters of 1 KB.
 */

const TOKEN = BATCH_FINGERPRINT_CHARS;
const MARK = 126; // `~`, which starts a time mark
const BITS = 8192;
const MAX_SCOPES = 512;
/** Fingerprints added before a rebuild, at least (a small string's filter is not rebuilt every time). */
const MIN_ADDED_BEFORE_REBUILD = 64;

interface Filter {
  recent: string;
  readonly bits: Int32Array;
  /** Tokens the filter was built from, and fingerprints added since (rebuilt when as many were added). */
  held: number;
  added: number;
}

const filters = new Map<string, Filter>();

/** The two bits of the token at `at` of `text` (a fingerprint is 72 random bits: its chars mix well). */
function firstBit(text: string, at: number): number {
  const word =
    text.charCodeAt(at) |
    (text.charCodeAt(at + 1) << 8) |
    (text.charCodeAt(at + 2) << 16) |
    (text.charCodeAt(at + 3) << 24);
  return Math.imul(word, 0x9e3779b1) >>> 19;
}

function secondBit(text: string, at: number): number {
  const word =
    text.charCodeAt(at + 4) |
    (text.charCodeAt(at + 5) << 8) |
    (text.charCodeAt(at + 6) << 16) |
    (text.charCodeAt(at + 7) << 24);
  return Math.imul(word, 0x85ebca77) >>> 19;
}

function set(bits: Int32Array, bit: number): void {
  bits[bit >>> 5] = (bits[bit >>> 5] as number) | (1 << (bit & 31));
}

function has(bits: Int32Array, bit: number): boolean {
  return ((bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
}

function build(recent: string, bits: Int32Array): number {
  bits.fill(0);
  let held = 0;
  // Every whole token is taken, time marks included: a superset is all the filter needs.
  for (let at = 0; at + TOKEN <= recent.length; at += TOKEN) {
    set(bits, firstBit(recent, at));
    set(bits, secondBit(recent, at));
    held++;
  }
  return held;
}

function filterOf(scopeKey: string, recent: string): Filter {
  let filter = filters.get(scopeKey);
  if (filter?.recent === recent) return filter;
  if (!filter) {
    if (filters.size >= MAX_SCOPES) filters.clear();
    filter = { recent, bits: new Int32Array(BITS / 32), held: 0, added: 0 };
    filters.set(scopeKey, filter);
  }
  filter.recent = recent;
  filter.held = build(recent, filter.bits);
  filter.added = 0;
  return filter;
}

/** `rememberedAmong(recent, fingerprints)` for the record of `scopeKey`. */
export function rememberedBy(scopeKey: string, recent: string, fingerprints: readonly string[]): boolean[] {
  // The engine asks about fingerprints only; anything else (which could match a prefix of a token, or a
  // time mark the filter may not have seen) is left to the string scan.
  for (const fingerprint of fingerprints) {
    if (fingerprint.length !== TOKEN || fingerprint.charCodeAt(0) === MARK) {
      return rememberedAmong(recent, fingerprints);
    }
  }
  const found = fingerprints.map(() => false);
  if (recent.length === 0) return found;
  const { bits } = filterOf(scopeKey, recent);
  for (let j = 0; j < fingerprints.length; j++) {
    const fingerprint = fingerprints[j] as string;
    if (has(bits, firstBit(fingerprint, 0)) && has(bits, secondBit(fingerprint, 0))) {
      found[j] = isRemembered(recent, fingerprint);
    }
  }
  return found;
}

/**
 * Note that `next` is what the scope of `scopeKey` remembers after `previous` plus `fingerprints` (as
 * `rememberBatches(forgetBatches(previous, …), fingerprints, …)` gives it), so its filter is derived.
 */
export function noteRemembered(
  scopeKey: string,
  previous: string,
  next: string,
  fingerprints: readonly string[],
): void {
  const filter = filters.get(scopeKey);
  if (!filter || filter.recent !== previous) return;
  // The derivation holds for strings of whole tokens and fingerprints of one token each (as the engine
  // writes them); anything else is left to a rebuild when next asked.
  let wellFormed = previous.length % TOKEN === 0;
  for (let j = 0; wellFormed && j < fingerprints.length; j++) {
    wellFormed = (fingerprints[j] as string).length === TOKEN;
  }
  if (!wellFormed) {
    filters.delete(scopeKey);
    return;
  }
  for (const fingerprint of fingerprints) {
    set(filter.bits, firstBit(fingerprint, 0));
    set(filter.bits, secondBit(fingerprint, 0));
  }
  filter.recent = next;
  filter.added += fingerprints.length;
  if (filter.added >= Math.max(filter.held, MIN_ADDED_BEFORE_REBUILD)) {
    filter.held = build(next, filter.bits);
    filter.added = 0;
  }
}
