/**
 * HTTP reason phrases as clients, servers and CDNs print them (RFC 9110's, plus the common non-standard
 * ones), each with the one status it names. A phrase beside a number confirms the number is a status;
 * a phrase alone implies it.
 */
const REASON_PHRASES: readonly (readonly [status: number, phrase: RegExp])[] = [
  [400, /^bad[\s_]*request/i],
  [401, /^(?:unauthori[sz]ed|unauthenticated)/i],
  [402, /^payment\s*required/i],
  [403, /^forbidden/i],
  [404, /^(?:not[\s_]*found|page not found)/i],
  [405, /^method\s*not\s*allowed/i],
  [408, /^request\s*time-?out/i],
  [409, /^conflict/i],
  [410, /^gone/i],
  [412, /^precondition\s*failed/i],
  [413, /^(?:request\s*entity\s*too\s*large|payload\s*too\s*large|content too large)/i],
  [415, /^unsupported media type/i],
  [422, /^unprocessable\s*(?:entity|content)/i],
  [424, /^failed dependency/i],
  [429, /^(?:too[\s_]*many[\s_]*requests|rate[\s_]*limit)/i],
  [499, /^client closed request/i],
  [500, /^internal[\s_]*(?:server[\s_]*)?error/i],
  [501, /^not implemented/i],
  [502, /^bad[\s_]*gateway/i],
  [503, /^(?:service[\s_]*(?:temporarily[\s_]*)?unavailable|unavailable\b)/i],
  [504, /^(?:gateway[\s_]*time-?out|deadline[\s_]*exceeded)/i],
  [520, /^(?:web server returned an )?unknown error/i],
  [521, /^web server is down/i],
  [522, /^connection timed out/i],
  [523, /^origin is unreachable/i],
  [524, /^a timeout occurred/i],
  [525, /^ssl handshake failed/i],
  [529, /^(?:site is )?overloaded/i],
];

const BY_STATUS = new Map(REASON_PHRASES);
/** Any phrase at all, in one scan: most text after a number starts with none. */
const ANY_PHRASE = new RegExp(REASON_PHRASES.map(([, phrase]) => `(?:${phrase.source})`).join('|'), 'i');

/** The status a reason phrase at the start of `text` names, if any. */
export function statusOfPhraseAt(text: string): number | undefined {
  if (!ANY_PHRASE.test(text)) return undefined;
  for (const [status, phrase] of REASON_PHRASES) if (phrase.test(text)) return status;
  return undefined;
}

/** Does `text` start with the reason phrase of `status`? */
export function phraseMatches(status: number, text: string): boolean {
  return BY_STATUS.get(status)?.test(text) ?? false;
}
