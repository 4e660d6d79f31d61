/**
 * HTTP reason phrases as clients, servers and CDNs print them (RFC 9110's, plus the common non-standard
 * ones), each with the one status it names. A phrase beside a number confirms the number is a status;
 * a phrase alone implies it.
 */
export const REASON_PHRASES: readonly (readonly [status: number, phrase: RegExp])[] = [
  [400, /^bad\s*request/i],
  [401, /^unauthori[sz]ed/i],
  [402, /^payment\s*required/i],
  [403, /^forbidden/i],
  [404, /^(?:not\s*found|page not found)/i],
  [405, /^method\s*not\s*allowed/i],
  [408, /^request\s*time-?out/i],
  [409, /^conflict/i],
  [410, /^gone/i],
  [412, /^precondition\s*failed/i],
  [413, /^(?:request\s*entity\s*too\s*large|payload\s*too\s*large|content too large)/i],
  [415, /^unsupported media type/i],
  [422, /^unprocessable\s*(?:entity|content)/i],
  [424, /^failed dependency/i],
  [429, /^too\s*many\s*requests/i],
  [499, /^client closed request/i],
  [500, /^internal\s*(?:server\s*)?error/i],
  [501, /^not implemented/i],
  [502, /^bad\s*gateway/i],
  [503, /^(?:service\s*(?:temporarily\s*)?unavailable|unavailable\b)/i],
  [504, /^gateway\s*time-?out/i],
  [520, /^(?:web server returned an )?unknown error/i],
  [521, /^web server is down/i],
  [522, /^connection timed out/i],
  [523, /^origin is unreachable/i],
  [524, /^a timeout occurred/i],
  [525, /^ssl handshake failed/i],
  [529, /^(?:site is )?overloaded/i],
];

/** The status a reason phrase at the start of `text` names, if any. */
export function statusOfPhraseAt(text: string): number | undefined {
  for (const [status, phrase] of REASON_PHRASES) if (phrase.test(text)) return status;
  return undefined;
}

/** Does `text` start with the reason phrase of `status`? */
export function phraseMatches(status: number, text: string): boolean {
  return statusOfPhraseAt(text) === status;
}
