/**
 * Secret redaction, applied before anything is stored, logged or published. Errs on the side of
 * removing too much: a lost token in a message costs nothing, a leaked key costs a rotation.
 *
 * What people paste into error reports: provider API keys (`fw_…`, `sk-…`, this service's `fet_…`),
 * bearer and basic credentials, AWS access key ids and secret keys, JWTs, `password=…`-style pairs in
 * every notation (env, query string, JSON, Python repr, quoted values with spaces), and credentials in
 * URLs (`https://user:pass@host`).
 */

export const REDACTED = '[REDACTED]';

/** Header names whose whole value is a credential. */
const SECRET_HEADERS =
  /^(?:authorization|proxy-authorization|x-api-key|api-key|x-fireworks-api-key|cookie|set-cookie)$/i;

/**
 * Names whose value is a credential: `password`, `db_password`, `AWS_SECRET_ACCESS_KEY`, `x-api-key`,
 * `client_secret`, `github_token`, `passwd`, `pwd`, `Authorization`, … (any name ending in one of them).
 * Plural or longer words (`max_tokens`, `token_type`, `keys`) are not names of a credential.
 */
const SECRET_NAME =
  '[A-Za-z0-9_.-]*?(?:authorization|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|secret(?:[_-]?access)?(?:[_-]?key)?|password|passwd|pwd|token|credentials?)';

/** A name, then `=`/`:` with optional quotes (plain, or backslash-escaped inside a JSON string) around the name. */
const PAIR = new RegExp(
  `(?<![A-Za-z0-9])(${SECRET_NAME})((?:\\\\?["'])?\\s*[:=]\\s*)` +
    // the value: double-quoted (escaped or not), single-quoted, or a bare word with an optional scheme
    `(\\\\"(?:[^"\\\\]|\\\\(?!"))*\\\\"|"(?:[^"\\\\]|\\\\.)*"|'[^']*'|` +
    // (a bare number is a count or a status — `Invalid token: 401` — never a credential)
    `(?!\\d+(?:[\\s"',;&}\\])]|$))(?:(?:bearer|basic|token)\\s+)?[^\\s"',;&}\\])]+)`,
  'gi',
);

function redactPair(_match: string, name: string, separator: string, value: string): string {
  if (value.startsWith('\\"')) return `${name}${separator}\\"${REDACTED}\\"`;
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${name}${separator}${quote}${REDACTED}${quote}`;
}

interface Redaction {
  readonly pattern: RegExp;
  readonly replacement: string | ((...args: string[]) => string);
  /** A cheap test every match of `pattern` passes: a text that fails it skips the pattern. */
  readonly marker: RegExp;
}

/** Applied in this order, each to the output of the one before. */
const REDACTIONS: readonly Redaction[] = [
  // Private keys in PEM, to their end or the end of the text.
  {
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replacement: REDACTED,
    marker: /PRIVATE KEY/,
  },
  { pattern: PAIR, replacement: redactPair, marker: /authorization|key|secret|passw|pwd|token|credential/i },
  // Credentials anywhere: `Bearer abc…`, `Basic dXNlcjpwYXNz`.
  // (not `token_type=bearer expires_in=3600`: a snake_case name and `=` is the next field, not a credential)
  {
    pattern: /\b(bearer|basic)\s+(?![a-z][a-z0-9]*_[a-z0-9_]*=)[A-Za-z0-9._~+/=-]{8,}/gi,
    replacement: `$1 ${REDACTED}`,
    marker: /bearer|basic/i,
  },
  // `scheme://user:password@host`: the user info goes.
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:"'<>]+:[^\s/?#@"'<>]*@/gi,
    replacement: `$1${REDACTED}@`,
    marker: /:\/\/[^\s@]*@/,
  },
  // JSON Web Tokens (header.payload.signature, base64url; the signature may be empty).
  {
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
    replacement: REDACTED,
    marker: /eyJ/,
  },
  // AWS access key ids of long-term (AKIA) and temporary (ASIA) credentials.
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replacement: REDACTED, marker: /AKIA|ASIA/ },
  // Fireworks keys (fw_…), this service's webhook tokens (fet_…), OpenAI/Anthropic/OpenRouter-style keys
  // (sk-…, sk-proj-…, sk-ant-…), and the common key formats of the tools around them.
  { pattern: /fw_[A-Za-z0-9]{12,}/g, replacement: REDACTED, marker: /fw_/ },
  { pattern: /fet_[A-Za-z0-9_-]{16,}/g, replacement: REDACTED, marker: /fet_/ },
  // (a plain `sk-` only at a word's start: `risk-assessment-model-v2` is a model name, not a key)
  {
    pattern: /(?:(?<![A-Za-z0-9])sk-|sk-(?:proj|ant|or|live|test|svcacct|admin)-)[A-Za-z0-9_-]{16,}/g,
    replacement: REDACTED,
    marker: /sk-/,
  },
  {
    pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g,
    replacement: REDACTED,
    marker: /k_/,
  },
  {
    pattern: /(?<![A-Za-z0-9])(?:gsk|hf|ghp|gho|ghs|ghu|github_pat|xai)[_-][A-Za-z0-9_]{20,}/g,
    replacement: REDACTED,
    marker: /gsk|hf[_-]|gh[pousu]|github_pat|xai/,
  },
  { pattern: /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/g, replacement: REDACTED, marker: /xox/ },
  { pattern: /(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{35}/g, replacement: REDACTED, marker: /AIza/ },
];

/**
 * A quick screen: every redaction needs one of these words in the text (case-insensitive), so a text
 * without any is returned as it is. Each is a run of characters that a substring of the text can only
 * lose, which makes the screen safe on any part of a text too.
 */
const MAY_HOLD_SECRET =
  /a(?:uthorization|kia|sia|iza)|b(?:earer|asic)|c(?:redential)|e(?:yj)|f(?:w_|et_)|g(?:sk|h[pousu]|ithub_pat)|h(?:f_|f-)|k(?:ey)|p(?:rivate key|assw|wd)|r(?:k_)|s(?:ecret|k-|k_)|t(?:oken)|x(?:ai|ox)|:\/\//i;

/**
 * False means {@link redactText} returns `text` unchanged, and the same holds for every substring of
 * `text`: callers may skip redaction of the text's parts.
 */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text);
}

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const { pattern, replacement, marker } of REDACTIONS) {
    if (marker.test(out)) out = out.replace(pattern, replacement as string);
  }
  return out;
}

/**
 * Would this value hold a credential if it were stored? `apiKeyId` and `id` values that do are refused
 * rather than redacted: a fingerprint or an idempotency key that carries a secret is a client's mistake
 * worth an answer.
 */
export function looksLikeSecret(value: string): boolean {
  return redactText(value) !== value || /^\s*(?:bearer|basic)\s+\S/i.test(value);
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
