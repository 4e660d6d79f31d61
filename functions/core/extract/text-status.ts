/**
 * Where a number in free text is an HTTP status: only in the positions that HTTP clients and SDKs
 * print one (`Error code: 429`, `status=503`, `HTTP/1.1 502`, `RateLimitError: 429 …`). A bare
 * number is never a status, which is what keeps `took 429ms`, `max_tokens: 500`, ports, line numbers
 * and lists of codes out.
 */

const S = '([1-5]\\d\\d)';
/** After a status keyword only a unit can still make the number something else. */
const NOT_A_DURATION = '(?![.:,]\\d)(?!\\s*(?:ms|s|sec|seconds?|tokens?|bytes?|%)\\b)';
/** Words after a number that make it a quantity, not a status. */
const NOT_A_QUANTITY =
  '(?![.:,]\\d)(?!\\s*(?:ms|s|sec|secs|seconds?|minutes?|tokens?|bytes?|chars?|characters?|[kKMG]i?B|%|rows?|records?|items?|results?|requests?|responses?|times?|lines?|users?|messages?|events?|errors?|retries|attempts?)\\b)';
const REASONS =
  'Too Many Requests|Service Unavailable|Internal Server Error|Bad Gateway|Gateway Time-?out|Unauthorized|Forbidden|Not Found|Payment Required|Bad Request|Precondition Failed|Payload Too Large|Request Entity Too Large|Request Timeout|Method Not Allowed|Unprocessable Entity|Conflict|Unknown Error';
/** Success phrases, matched case-sensitively (`400 found` in prose is no status line). */
const SUCCESS_REASONS = 'OK|Created|Accepted|No Content|Moved Permanently|Found|See Other|Not Modified';

// The patterns, in the order they are tried (the first that matches wins: the order is the semantics).
// Each captures the status in group 1.
const ERROR_CODE = new RegExp(`\\bError code:\\s*${S}\\b`); // OpenAI / Fireworks Python SDKs, LangChain, LiteLLM
const URLLIB = new RegExp(`\\bHTTP Error ${S}\\b`);
const HTTPX_ERROR = new RegExp(`\\b(?:Client|Server) error '${S}\\b`, 'i'); // httpx HTTPStatusError
const REQUESTS_ERROR = new RegExp(`\\b${S} (?:Client|Server) Error\\b`); // requests HTTPError
const AXIOS = new RegExp(`\\bRequest failed with status code ${S}\\b`);
const STATUS_LINE = new RegExp(`\\bHTTP/\\d(?:\\.\\d)?"?\\s+${S}\\b`); // httpx INFO log, raw responses
const STATUS_REASON = new RegExp(`\\b${S}\\s*[-:]?\\s*(?:${REASONS})\\b`, 'i');
const STATUS_SUCCESS = new RegExp(`\\b${S} (?:${SUCCESS_REASONS})\\b`);
const REASON_STATUS = new RegExp(`\\b(?:${REASONS})\\s*\\(${S}\\)`, 'i');
// `status: 503`, `statusCode=429`, `"status_code": 502`, `http.status_code=500`, `status code 503`
const STATUS_KEYWORD = new RegExp(
  `\\bstatus(?:[ _.-]?code)?\\\\?["']?\\s*(?:[:=]|is|of|was)?\\s*\\\\?["']?${S}\\b${NOT_A_DURATION}`,
  'i',
);
const NODE_STATUS_CODE = new RegExp(`\\b${S} status code\\b`); // OpenAI Node SDK: `503 status code (no body)`
// Node SDKs print `<Class>Error: <status> <message>`; also `Error 503:` / `error 429 from …`.
const CLASS_ERROR = new RegExp(
  `(?:\\b[A-Z]\\w*(?:Error|Exception)|\\b[Ee]rror|\\bERROR)\\]?\\s*[:-]?\\s*\\[?${S}\\b${NOT_A_QUANTITY}`,
);
const ANSWERED = new RegExp(
  `\\b(?:returned|responded with|failed with|answered with)\\s+(?:an?\\s+)?(?:HTTP\\s+)?(?:status\\s+)?(?:code\\s+)?${S}\\b${NOT_A_QUANTITY}`,
  'i',
);
// `got`/`received` also count things, so the status must be followed by where it came from.
const RECEIVED = new RegExp(
  `\\b(?:got|received)\\s+(?:an?\\s+)?(?:HTTP\\s+)?(?:status\\s+)?(?:code\\s+)?${S}\\s+(?:from|response|status|error|when|while|calling)\\b`,
  'i',
);
const HTTP_STATUS = new RegExp(`\\bHTTP[ _]${S}\\b${NOT_A_QUANTITY}`);

/** The patterns in the order findTextStatus tries them (after ACCESS_LOG): what its guards must not change. */
export const STATUS_PATTERNS: readonly RegExp[] = [
  ERROR_CODE,
  URLLIB,
  HTTPX_ERROR,
  REQUESTS_ERROR,
  AXIOS,
  STATUS_LINE,
  STATUS_REASON,
  STATUS_SUCCESS,
  REASON_STATUS,
  STATUS_KEYWORD,
  NODE_STATUS_CODE,
  CLASS_ERROR,
  ANSWERED,
  RECEIVED,
  HTTP_STATUS,
];

/*
 * Guards: each says whether a pattern CAN match, from a literal or a shape the pattern needs. Never
 * wrong when it says no (it may say yes too often; the pattern decides), each far cheaper than its
 * pattern, so most texts run two or three patterns instead of fifteen. A case-insensitive guard is
 * exact for its case-insensitive pattern: in a non-Unicode `i` regex an ASCII letter matches only its
 * two ASCII cases.
 */
/** Every pattern captures `[1-5]\d\d`. */
const ANY_STATUS_DIGITS = /[1-5]\d\d/;
const HTTPX_GUARD = /error '/i;
/** STATUS_REASON's number, separators and the first two letters of a reason. */
const STATUS_REASON_GUARD = /[1-5]\d\d\s*[-:]?\s*(?:to|se|in|ba|ga|un|fo|no|pa|pr|re|me|co)/i;
const STATUS_SUCCESS_GUARD = /\d (?:OK|Cr|Ac|No|Mo|Fo|Se)/;
const REASON_STATUS_GUARD = /\([1-5]\d\d\)/;
/** What the three guards above need, in one scan (case-insensitive: a guard may say yes too often). */
const NUMBER_THEN_WORD_GUARD =
  /[1-5]\d\d(?:\)|\s*[-:]?\s*(?:to|se|in|ba|ga|un|fo|no|pa|pr|re|me|co|ok|cr|ac|mo))/i;
const STATUS_GUARD = /status/i;
const CLASS_ERROR_GUARD = /(?:rror|RROR|Exception)\]?\s*[:-]?\s*\[?[1-5]\d\d/;
const ANSWERED_GUARD = /returned|responded with|failed with|answered with|got|received/i;

const found = (match: RegExpExecArray | null): TextStatus | undefined =>
  match ? { status: Number(match[1]) } : undefined;

/** A web server's own access-log line (`"GET /path HTTP/1.1" 404 153`): the app's answer, not an API's. */
export const ACCESS_LOG = /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/[\d.]+" ([1-5]\d\d)\b/;
/** Paths of inference APIs, whose errors an LLM gateway's access log does report. */
const INFERENCE_PATH =
  /\/inference\/|\/(?:chat\/)?completions\b|\/embeddings\b|\/rerank\b|\/images\/|\/audio\//;

export function isInferencePath(path: string): boolean {
  return INFERENCE_PATH.test(path);
}

export type TextStatus =
  | { readonly status: number; readonly serverLog?: false }
  /** From a server access log: counts only when the path is an inference API. */
  | { readonly status: number; readonly serverLog: true; readonly path: string };

/** The HTTP status a text line reports (any class: a 200 status line means "no error here"), if any. */
export function findTextStatus(text: string): TextStatus | undefined {
  if (!ANY_STATUS_DIGITS.test(text)) return undefined;
  const http = text.includes('HTTP');
  const access = http && text.includes(' HTTP/') ? ACCESS_LOG.exec(text) : null;
  if (access) return { status: Number(access[2]), serverLog: true, path: access[1] as string };
  const error = text.includes('Error');
  const early =
    (error && text.includes('Error code:') ? found(ERROR_CODE.exec(text)) : undefined) ??
    (http && error && text.includes('HTTP Error ') ? found(URLLIB.exec(text)) : undefined) ??
    (HTTPX_GUARD.test(text) ? found(HTTPX_ERROR.exec(text)) : undefined) ??
    (error && (text.includes('t Error') || text.includes('r Error'))
      ? found(REQUESTS_ERROR.exec(text))
      : undefined);
  // The shared guards below only once the first patterns (the SDKs' own formats) found nothing.
  if (early) return early;
  const status = STATUS_GUARD.test(text);
  const numberThenWord = NUMBER_THEN_WORD_GUARD.test(text);
  return (
    (status && text.includes('Request failed with status code ') ? found(AXIOS.exec(text)) : undefined) ??
    (http && text.includes('HTTP/') ? found(STATUS_LINE.exec(text)) : undefined) ??
    (numberThenWord && STATUS_REASON_GUARD.test(text) ? found(STATUS_REASON.exec(text)) : undefined) ??
    (numberThenWord && STATUS_SUCCESS_GUARD.test(text) ? found(STATUS_SUCCESS.exec(text)) : undefined) ??
    (numberThenWord && REASON_STATUS_GUARD.test(text) ? found(REASON_STATUS.exec(text)) : undefined) ??
    (status ? found(STATUS_KEYWORD.exec(text)) : undefined) ??
    (status && text.includes(' status code') ? found(NODE_STATUS_CODE.exec(text)) : undefined) ??
    (CLASS_ERROR_GUARD.test(text) ? found(CLASS_ERROR.exec(text)) : undefined) ??
    (ANSWERED_GUARD.test(text) ? (found(ANSWERED.exec(text)) ?? found(RECEIVED.exec(text))) : undefined) ??
    (http ? found(HTTP_STATUS.exec(text)) : undefined)
  );
}
