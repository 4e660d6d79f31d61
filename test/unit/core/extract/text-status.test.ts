import fc from 'fast-check';
import {
  ACCESS_LOG,
  findTextStatus,
  STATUS_PATTERNS,
  type TextStatus,
} from '../../../../functions/core/extract/text-status';

/** findTextStatus without its guards: every pattern, in order, on every text. */
function everyPattern(text: string): TextStatus | undefined {
  const access = ACCESS_LOG.exec(text);
  if (access) return { status: Number(access[2]), serverLog: true, path: access[1] as string };
  for (const pattern of STATUS_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { status: Number(match[1]) };
  }
  return undefined;
}

// biome-ignore format: lists of test pieces read better packed
const KEYWORDS = [
  'Error code:', 'error code', 'HTTP Error', 'HTTP/1.1', 'HTTP/2"', 'HTTP', 'HTTP_', 'http', "Server error '",
  "CLIENT ERROR '", 'Request failed with status code', 'status', 'STATUS', 'status_code', 'statusCode',
  'Status Code', 'status is', 'status of', 'returned', 'Responded With an', 'failed with', 'answered with HTTP',
  'got a', 'RECEIVED', 'received', 'Got', 'received an HTTP status code', 'RateLimitError', 'MyException', 'Error', 'ERROR', 'error', 'rror', 'Service Unavailable',
  'Not Found', '"POST /v1/chat/completions', '"GET /health',
];
// biome-ignore format: lists of test pieces read better packed
const AFTER = [
  'Client Error', 'Server Error', 'status code', 'from', 'response', 'Too Many Requests', 'service unavailable',
  'GATEWAY TIME-OUT', 'Not Found', 'OK', 'Found', 'Created', 'See Other', 'Moved Permanently', 'No Content', 'Accepted', 'ms', 'tokens', '%', 'KiB', 'retries',
  'when', 'error', ')', "'", '"', 'HTTP/1.1"', '', 'x',
];
const NUMBERS = [
  '429',
  '503',
  '500',
  '404',
  '200',
  '302',
  '520',
  '600',
  '4290',
  '42',
  '(503)',
  '503.5',
  '503:1',
];
const SEPARATORS = [
  ' ',
  ' ',
  '',
  ': ',
  ' - ',
  '=',
  '"',
  "'",
  '\\"',
  '\t',
  '\n',
  '[',
  ']',
  '\u00a0',
  'ſ',
  'K',
  'İ',
];
const piece = fc.constantFrom(...KEYWORDS, ...AFTER, ...NUMBERS, ...SEPARATORS);
const soup = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(''));
const sep = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(' ', ': ', '') },
  fc.constantFrom(...SEPARATORS),
);
/** Mostly `<keyword> <number> <word>` with noise around it: the shapes the patterns and guards are about. */
const shaped = fc
  .tuple(
    soup,
    fc.constantFrom(...KEYWORDS),
    sep,
    fc.constantFrom(...NUMBERS),
    sep,
    fc.constantFrom(...AFTER),
    soup,
  )
  .map((parts) => parts.join(''));
const text = fc.oneof(
  { weight: 4, arbitrary: shaped },
  { weight: 1, arbitrary: fc.array(piece, { maxLength: 14 }).map((parts) => parts.join('')) },
);

describe('findTextStatus', () => {
  it('finds what every pattern tried in order finds: its guards skip only patterns that cannot match', () => {
    fc.assert(
      fc.property(text, (line) => {
        expect(findTextStatus(line)).toEqual(everyPattern(line));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is not tested on text that never holds a status (the property above is not vacuous)', () => {
    const found = fc.sample(text, 5000).filter((line) => everyPattern(line) !== undefined);
    expect(found.length).toBeGreaterThan(400);
  });

  it('reads each client format, and the first pattern in order wins', () => {
    expect(findTextStatus('openai.RateLimitError: Error code: 429 - status: 503')).toEqual({ status: 429 });
    expect(findTextStatus('"POST /v1/chat/completions HTTP/1.1" 502 10')).toEqual({
      status: 502,
      serverLog: true,
      path: '/v1/chat/completions',
    });
    expect(findTextStatus('HTTP Request: POST https://x "HTTP/1.1 200 OK"')).toEqual({ status: 200 });
    expect(findTextStatus('ERROR [worker-3] db.pool: connection reset after took 512 ms')).toBeUndefined();
  });
});
