/**
 * A fast, stable, non-cryptographic 53-bit string hash (cyrb53). Used for short ids derived from scope
 * keys and batch ids; core code may not import node:crypto, and nothing here needs secrecy.
 */
function stableHashNumber(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The 53-bit hash in base36 (subject ids and long key parts derive from it: keep it stable). */
export function stableHash(text: string, seed = 0): string {
  return stableHashNumber(text, seed).toString(36);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BITS_36 = 2 ** 36;

/** Six base64url characters of the low 36 bits of `n` (n < 2^53, so the float arithmetic is exact). */
function base64url36(n: number): string {
  let x = n % BITS_36;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += BASE64URL[x % 64];
    x = Math.floor(x / 64);
  }
  return out;
}

/** Length of a batch fingerprint: 12 base64url characters, 72 bits. */
export const BATCH_FINGERPRINT_CHARS = 12;

/**
 * 72 bits (36 from each of two seeds) of the batch id, as 12 base64url characters: the token a scope
 * remembers and the key of the batch's settled marker (`settled#<fingerprint>`). A new batch is wrongly
 * taken as settled only if its fingerprint matches a marker still in the table (14 days of them): at
 * 10^7 markers (8 messages a second for two weeks) that is 10^7 / 2^72 ≈ 2e-15 per batch, ~2e-6 over 10^9
 * batches; matching one a scope remembers is far rarer (a handful, at most `dedupe.maxBatchIds`). Batch
 * ids are minted server-side (a UUID or the log payload's id plus a counter), so no client can aim for a
 * collision.
 */
export function batchFingerprint(batchId: string): string {
  return base64url36(stableHashNumber(batchId, 1)) + base64url36(stableHashNumber(batchId, 2));
}
