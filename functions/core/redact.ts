/**
 * Secret redaction, applied before anything is stored, logged or published. Errs on the side of
 * removing too much: a lost token in a message costs nothing, a leaked key costs a rotation.
 */

export const REDACTED = '[REDACTED]';

/** Header names whose whole value is a credential. */
const SECRET_HEADERS =
  /^(?:authorization|proxy-authorization|x-api-key|api-key|x-fireworks-api-key|cookie|set-cookie)$/i;

interface Redaction {
  readonly pattern: RegExp;
  readonly replacement: string;
  /** A cheap test every match of `pattern` passes: a string that fails it is left as it is. */
  readonly marker: (text: string) => boolean;
}

const KEY_NAME = /authorization|api[_-]?key|access[_-]?token|secret|password/i;
const BEARER = /bearer/i;

/** Applied in this order, each to the output of the one before. */
const REDACTIONS: readonly Redaction[] = [
  // `Authorization: Bearer abc`, `"authorization": "Basic abc"`, `x-api-key=abc`, `api_key: 'abc'`
  {
    pattern:
      /((?:proxy-)?authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|secret|password)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;&}]+/gi,
    replacement: `$1$2${REDACTED}`,
    marker: (text) => KEY_NAME.test(text),
  },
  // Bearer tokens anywhere.
  {
    pattern: /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replacement: `$1 ${REDACTED}`,
    marker: (text) => BEARER.test(text),
  },
  // Fireworks API keys (fw_…), this service's webhook tokens (fet_…), OpenAI-style keys (sk-…, sk-proj-…).
  { pattern: /\bfw_[A-Za-z0-9]{12,}\b/g, replacement: REDACTED, marker: (text) => text.includes('fw_') },
  { pattern: /\bfet_[A-Za-z0-9_-]{16,}/g, replacement: REDACTED, marker: (text) => text.includes('fet_') },
  {
    pattern: /\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g,
    replacement: REDACTED,
    marker: (text) => text.includes('sk-'),
  },
];

/** Would this string be a credential if it were stored? Used to reject `apiKeyId` values that are keys. */
export function looksLikeSecret(value: string): boolean {
  return (
    /^\s*(?:bearer\s+\S|fw_[A-Za-z0-9]{12,}|fet_[A-Za-z0-9_-]{16,}|sk-[A-Za-z0-9_-]{16,})/i.test(value) ||
    /\bfw_[A-Za-z0-9]{20,}/.test(value)
  );
}

/**
 * One pass that finds every string a redaction could change: the markers of all of them at once. Nearly
 * all identifiers and messages have none, and skip the redactions.
 */
const MAY_HOLD_SECRET = /authorization|api[_-]?key|access[_-]?token|secret|password|bearer|fw_|fet_|sk-/i;

/** Every redaction, unconditionally: the reference that {@link redactText} must always equal. */
export function redactEveryPattern(text: string): string {
  let out = text;
  for (const { pattern, replacement } of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The screen itself: false means {@link redactText} returns `text` unchanged, and the same holds for
 * every substring of `text` (each marker is a run of letters, `_` and `-` that a substring can only lose).
 */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text);
}

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const { pattern, replacement, marker } of REDACTIONS) {
    if (marker(out)) out = out.replace(pattern, replacement);
  }
  return out;
}

/** Redact every string inside a JSON-like value; credential-named keys lose their whole value. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    out[key] = SECRET_HEADERS.test(key) && item != null ? REDACTED : redactDeep(item, depth + 1);
  }
  return out;
}
