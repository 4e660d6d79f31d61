/**
 * What a webhook token may do (docs/design.md, "Tokens and scopes"): `ingest` posts events, `read` uses
 * the GET routes, `admin` does everything, including the on-call actions (silences, acknowledgements).
 */
export const TOKEN_SCOPES = ['ingest', 'read', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** A token created without a scope, or stored before scopes existed, only posts events. */
export const DEFAULT_TOKEN_SCOPE: TokenScope = 'ingest';

export function isTokenScope(value: unknown): value is TokenScope {
  return typeof value === 'string' && (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** The scope a stored token has: anything unknown or missing reads as the least privileged, `ingest`. */
export function storedTokenScope(value: unknown): TokenScope {
  return isTokenScope(value) ? value : DEFAULT_TOKEN_SCOPE;
}

/** Whether a token of scope `held` may use a route that needs `required`: `admin` may use every route. */
export function scopeAllows(held: TokenScope, required: TokenScope): boolean {
  return held === 'admin' || held === required;
}
