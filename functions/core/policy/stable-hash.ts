/**
 * A fast, stable, non-cryptographic 53-bit string hash (cyrb53), base36. Used for short ids derived
 * from scope keys and batch ids; core code may not import node:crypto, and nothing here needs secrecy.
 */
export function stableHash(text: string, seed = 0): string {
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
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** 106 bits: two independent seeds, so that two batch ids colliding (and one being dropped) is not a concern. */
export function batchFingerprint(batchId: string): string {
  return `${stableHash(batchId, 1)}.${stableHash(batchId, 2)}`;
}
