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

/** Ordered: the most specific client formats first. Each captures the status in group 1. */
const PATTERNS: readonly RegExp[] = [
  new RegExp(`\\bError code:\\s*${S}\\b`), // OpenAI / Fireworks Python SDKs, LangChain, LiteLLM
  new RegExp(`\\bHTTP Error ${S}\\b`), // urllib
  new RegExp(`\\b(?:Client|Server) error '${S}\\b`, 'i'), // httpx HTTPStatusError
  new RegExp(`\\b${S} (?:Client|Server) Error\\b`), // requests HTTPError
  new RegExp(`\\bRequest failed with status code ${S}\\b`), // axios
  new RegExp(`\\bHTTP/\\d(?:\\.\\d)?"?\\s+${S}\\b`), // status lines (httpx INFO log, raw responses)
  new RegExp(`\\b${S}\\s*[-:]?\\s*(?:${REASONS})\\b`, 'i'),
  new RegExp(`\\b${S} (?:${SUCCESS_REASONS})\\b`),
  new RegExp(`\\b(?:${REASONS})\\s*\\(${S}\\)`, 'i'),
  // `status: 503`, `statusCode=429`, `"status_code": 502`, `http.status_code=500`, `status code 503`
  new RegExp(
    `\\bstatus(?:[ _.-]?code)?\\\\?["']?\\s*(?:[:=]|is|of|was)?\\s*\\\\?["']?${S}\\b${NOT_A_DURATION}`,
    'i',
  ),
  new RegExp(`\\b${S} status code\\b`), // OpenAI Node SDK: `503 status code (no body)`
  // Node SDKs print `<Class>Error: <status> <message>`; also `Error 503:` / `error 429 from …`.
  new RegExp(
    `(?:\\b[A-Z]\\w*(?:Error|Exception)|\\b[Ee]rror|\\bERROR)\\]?\\s*[:-]?\\s*\\[?${S}\\b${NOT_A_QUANTITY}`,
  ),
  new RegExp(
    `\\b(?:returned|responded with|failed with|answered with)\\s+(?:an?\\s+)?(?:HTTP\\s+)?(?:status\\s+)?(?:code\\s+)?${S}\\b${NOT_A_QUANTITY}`,
    'i',
  ),
  // `got`/`received` also count things, so the status must be followed by where it came from.
  new RegExp(
    `\\b(?:got|received)\\s+(?:an?\\s+)?(?:HTTP\\s+)?(?:status\\s+)?(?:code\\s+)?${S}\\s+(?:from|response|status|error|when|while|calling)\\b`,
    'i',
  ),
  new RegExp(`\\bHTTP[ _]${S}\\b${NOT_A_QUANTITY}`),
];

/** A web server's own access-log line (`"GET /path HTTP/1.1" 404 153`): the app's answer, not an API's. */
const ACCESS_LOG = /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/[\d.]+" ([1-5]\d\d)\b/;
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
  const access = ACCESS_LOG.exec(text);
  if (access) return { status: Number(access[2]), serverLog: true, path: access[1] as string };
  for (const pattern of PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { status: Number(match[1]) };
  }
  return undefined;
}
