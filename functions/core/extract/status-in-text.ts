import { phraseMatches, statusOfPhraseAt } from './reason-phrases';

/**
 * The HTTP status a line of text shows as a number. Every 3-digit number from 100 to 599 that stands
 * alone is a candidate; what stands before and after it decides whether it is a status — a status
 * keyword, an `HTTP/1.1` status line, an exception name, a reason phrase that matches the number — or
 * something else: a duration, a size, a token count, a port, a file's line number, a pid, part of a
 * list of codes. The candidate with the strongest evidence wins; a winner below 400 (a `200 OK` access
 * log) means the line reports no error.
 */

export interface TextStatus {
  readonly status: number;
  /** What made the number a status, for `triage extract --explain`. */
  readonly evidence: string;
}

interface Clue {
  readonly weight: number;
  readonly name: string;
  readonly test: RegExp;
}

/** Evidence in the text just before the number (each pattern is anchored at the number: `$`). */
const BEFORE: readonly Clue[] = [
  { weight: 4, name: 'HTTP status line', test: /\bHTTP\/\d(?:\.\d)?"?\s*$/ },
  {
    weight: 4,
    name: 'status keyword',
    test: /\b(?:status|status[ _-]?code|statuscode|http[_ ]?(?:status|code)|response[ _]?code|raw_status_code|error[ _]code|code)\\?["']?\s*(?:[:=]|is|of|was)?\s*\\?["']?\s*$/i,
  },
  { weight: 4, name: 'HTTP keyword', test: /\bHTTP(?:\s+(?:error|code|status))?\s*[:(]?\s*$/i },
  { weight: 4, name: 'httpx error', test: /\b(?:client|server) error '$/i },
  {
    weight: 4,
    name: 'answered with',
    test: /\b(?:failed with|returned|responded(?: with)?|answered with|resulted in|unacceptable:|received unexpected HTTP status:)\s+(?:an?\s+)?`?(?:unexpected\s+)?(?:HTTP\s+)?(?:status\s+)?(?:code\s+)?(?:of\s+)?$/i,
  },
  { weight: 4, name: 'response object', test: /(?:<Response\s*\[|\bResponse\s+|StatusError\(|\bAPI\s+)$/ },
  { weight: 4, name: 'access log status field', test: /\[GIN\][^|]*\|\s*$/ },
  {
    weight: 3,
    name: 'exception or error word',
    test: /(?:\b[A-Z]\w*(?:Error|Exception)|\berror|\bERROR)\\?["']?\]?\s*[:-]?\s*\\?["']?[[(]?$/i,
  },
  { weight: 3, name: 'HTML title', test: /<(?:title|h1)>(?:[^<|]*\|\s*)?$/ },
  { weight: 3, name: 'after a request method', test: /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD)\s+$/ },
  { weight: 3, name: 'failed', test: /\bfailed\s*[:(]?\s*$/i },
  // ALB/ELB access logs: three processing times, then the load balancer's status.
  { weight: 4, name: 'load balancer access log', test: /(?:^|\s)(?:-?\d+\.\d+\s+){3}$/ },
  // HAProxy's HTTP log: the timers Tq/Tw/Tc/Tr/Tt, then the status.
  { weight: 4, name: 'HAProxy log', test: /\s-?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?\d+\s+$/ },
  { weight: 3, name: 'at the start of the line', test: /^\s*$/ },
  {
    weight: 2,
    name: 'got',
    test: /\b(?:got|received)\s+(?:an?\s+)?(?:unexpected\s+)?(?:HTTP\s+)?(?:status\s+)?(?:code\s+)?$/i,
  },
  { weight: 2, name: 'bracketed', test: /[[(]$/ },
  {
    weight: 1,
    name: 'after a request line',
    test: /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+[^"]*"\s+$/,
  },
];

/** Evidence just after the number (anchored at the number: `^`). */
const AFTER: readonly Clue[] = [
  { weight: 3, name: 'requests error', test: /^\s+(?:Client|Server) Error\b/ },
  { weight: 3, name: 'status code words', test: /^\s+status code\b/ },
  // `429 - {…}`, `429: {…}`, and a bracketed number before its body: `[403] {…}`, `(400): {…}`.
  { weight: 2, name: 'error body follows', test: /^(?:\s*[-:]\s*\\?[{[]|[\])]\s*[-:]?\s*\\?\{)/ },
  { weight: 3, name: 'ERROR follows', test: /^\s+ERROR\b/ },
  { weight: 1, name: 'table cell', test: /^\s*\|/ },
];

/** Words after a number that make it a quantity (lower case: `429 Request failed` is a status). */
const UNIT =
  /^\s*(?:ms|s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|days?|µs|us|ns|tokens?|bytes?|B|[KMGT]i?B|[kmg]b|chars?|characters?|%|rows?|records?|items?|results?|requests?|responses?|times?|lines?|users?|messages?|events?|errors?|retries|attempts?|packages?|papers?|chunks?|files?|modules?|buffers?|clients?|connections?|words?|steps?|epochs?|px|points?|pages?|docs?|documents?|queries|calls?|units?|workers?|threads?|processes|slots?|GPUs?|x)(?![\w-])/;

/** Words before a number that make it something else than a status. */
const NOT_A_STATUS_BEFORE =
  /\b(?:line|lines|port|pid|tid|id|no\.?|number|version|ver|v|row|column|col|offset|index|size|length|count|took|duration|elapsed|in|after|max_tokens|max_completion_tokens|tokens|limit|requested|used|timeout|bytes|page|chunk|step|epoch|attempt|retry|retries|seed|worker|thread|memory|top_k|top_p|dims?|dimensions?|batch|len|width|height)\s*[:=]?\s*$/i;

/** `file.py:449`, `host:8080`, `[::1]:443`, `127.0.0.1:502`: a line number or a port. */
const POSITION_BEFORE =
  /(?:\.(?:py|pyx|js|mjs|cjs|jsx|ts|tsx|go|rs|java|kt|rb|php|cs|cpp|cc|c|h|jl|ex|exs|scala|swift|lua|pl|sh|ya?ml|json|toml)|localhost|\d+\.\d+\.\d+\.\d+|\]|\b[a-z0-9-]+\.[a-z]{2,6})\s*:\s*$|\bport\s*[:=]?\s*$/;

/** Part of a list of codes in prose or config: `400, 401, 429` or `429 or 503`. */
const LIST_BEFORE = /\b[1-5]\d\d\s*(?:,|\/|or|and)\s*$/;
const LIST_AFTER = /^\s*(?:,|\/|or|and)\s*[1-5]\d\d\b/;

/**
 * A 3-digit number standing alone: not inside a word, a longer number, a decimal, a version, a date, a
 * time, a path segment or an id.
 */
const CANDIDATE = /(?<![\w.#@$/\\-]|\d[,:])([1-5]\d\d)(?![\w]|[.,:]\d|-\d|\/\d)/g;

const WINDOW = 48;
const THRESHOLD = 3;

/** The HTTP status the text shows as a number, if any (of any class: a 2xx means "no error here"). */
export function statusInText(text: string): TextStatus | undefined {
  let best: { status: number; score: number; evidence: string; at: number } | undefined;
  for (const match of text.matchAll(CANDIDATE)) {
    const at = match.index;
    const status = Number(match[1]);
    const before = text.slice(Math.max(0, at - WINDOW), at);
    const after = text.slice(at + 3, at + 3 + WINDOW);
    const { score, evidence } = scoreOf(status, before, after);
    if (score >= THRESHOLD && (best === undefined || score > best.score))
      best = { status, score, evidence, at };
  }
  return best && { status: best.status, evidence: best.evidence };
}

function scoreOf(status: number, before: string, after: string): { score: number; evidence: string } {
  if (UNIT.test(after) || POSITION_BEFORE.test(before) || NOT_A_STATUS_BEFORE.test(before))
    return { score: 0, evidence: '' };
  let score = 0;
  const evidence: string[] = [];
  const phraseAfter = after.replace(/^\s*[-:(']?\s*/, '');
  if (phraseMatches(status, phraseAfter)) {
    score += 5;
    evidence.push('reason phrase matches');
  } else if (statusOfPhraseAt(phraseAfter) !== undefined) {
    // Another status's phrase: `404 … Bad Request` — the number is probably not this line's status.
    score -= 2;
  }
  const strongestBefore = BEFORE.find((clue) => clue.test.test(before));
  if (strongestBefore) {
    score += strongestBefore.weight;
    evidence.push(strongestBefore.name);
  }
  const strongestAfter = AFTER.find((clue) => clue.test.test(after));
  if (strongestAfter) {
    score += strongestAfter.weight;
    evidence.push(strongestAfter.name);
  }
  if (LIST_BEFORE.test(before) || LIST_AFTER.test(after)) score -= 4;
  return { score, evidence: evidence.join(', ') };
}
