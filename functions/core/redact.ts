/**
 * Secret redaction, applied before anything is stored, logged or published. Errs on the side of
 * removing too much: a lost token in a message costs nothing, a leaked key costs a rotation.
 */

export const REDACTED = '[REDACTED]';

/** Header names whose whole value is a credential. */
const SECRET_HEADERS =
  /^(?:authorization|proxy-authorization|x-api-key|api-key|x-fireworks-api-key|cookie|set-cookie)$/i;

const PATTERNS: readonly [RegExp, string][] = [
  // `Authorization: Bearer abc`, `"authorization": "Basic abc"`, `x-api-key=abc`, `api_key: 'abc'`
  [
    /((?:proxy-)?authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|secret|password)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;&}]+/gi,
    `$1$2${REDACTED}`,
  ],
  // Bearer tokens anywhere.
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // Fireworks API keys (fw_…), this service's webhook tokens (fet_…), OpenAI-style keys (sk-…, sk-proj-…).
  [/\bfw_[A-Za-z0-9]{12,}\b/g, REDACTED],
  [/\bfet_[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, REDACTED],
];

/** Would this string be a credential if it were stored? Used to reject `apiKeyId` values that are keys. */
export function looksLikeSecret(value: string): boolean {
  return (
    /^\s*(?:bearer\s+\S|fw_[A-Za-z0-9]{12,}|fet_[A-Za-z0-9_-]{16,}|sk-[A-Za-z0-9_-]{16,})/i.test(value) ||
    /\bfw_[A-Za-z0-9]{20,}/.test(value)
  );
}

/**
 * One pass that finds every string any of PATTERNS could match: each pattern needs one of these words
 * (case-insensitively; `x-api-key`, `apikey` and `proxy-authorization` contain one). Nearly all
 * identifiers and messages hold none, and skip the five replacement passes.
 */
const MAY_HOLD_SECRET = /authorization|api[_-]?key|access[_-]?token|secret|password|bearer|fw_|fet_|sk-/i;

/** Every replacement pass, unconditionally: what {@link redactText} returns whenever a string may hold a secret. */
export function redactEveryPattern(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function redactText(text: string): string {
  return MAY_HOLD_SECRET.test(text) ? redactEveryPattern(text) : text;
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
