import { statusInText } from '../../../../functions/core/extract/status-in-text';

describe('statusInText', () => {
  it.each([
    ["openai.RateLimitError: Error code: 429 - {'error': {'message': 'slow down'}}", 429],
    ["httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://x/v1/chat'", 503],
    ['requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://x', 502],
    ['INFO:httpx:HTTP Request: POST https://x/v1/chat/completions "HTTP/1.1 429 Too Many Requests"', 429],
    ['AxiosError: Request failed with status code 500', 500],
    ['self = <Response [429]>', 429],
    ['error, status code: 429, status: 429 Too Many Requests, message: quota', 429],
    ['[GIN] 2024/12/11 - 09:58:58 | 500 |        29m59s |      10.0.0.123 | POST     "/api/chat"', 500],
    ['INFO:     10.0.21.22:53896 - "POST /chat/completions HTTP/1.1" 500 Internal Server Error', 500],
    ['<title>api.openai.com | 502: Bad gateway</title>', 502],
    ['Error 522 Ray ID: 3044bd1a06490f87 • 2016-11-19 15:37:06 UTC', 522],
    ['Response status code was unacceptable: 404.', 404],
    [
      'caused by: HTTP.Exceptions.StatusError(429, "POST", "/v1/chat/completions", HTTP.Messages.Response:',
      429,
    ],
    ['Client error: `GET https://x/y.json` resulted in a `429 Too Many Requests` response:', 429],
    [
      'System.Net.Http.HttpRequestException: Response status code does not indicate success: 429 (Too Many Requests).',
      429,
    ],
    ['{"error":{"message":"Rate limit exceeded","code":429}}', 429],
    ['google.genai.errors.ServerError: 503 UNAVAILABLE.', 503],
    ['org.springframework.ai.retry.NonTransientAiException: 404 - {', 404],
    ['404 Client Error: Not Found for url: https://x/api/models', 404],
    ["Failed to create dataset: [403] { 'code': 7, 'details': [] }", 403],
    ['API request failed (400): {', 400],
  ])('finds the status of %s', (line, status) => {
    expect(statusInText(line)?.status).toBe(status);
  });

  it.each([
    ['a 2xx access log: the request succeeded', '"GET / HTTP/1.1" 200 612 "-" "curl/8"', 200],
    ['a redirect', '172.17.0.1 - - [26/Apr/2018] "GET / HTTP/1.1" 304 0 "-"', 304],
  ])('reports the success status of %s (no error)', (_what, line, status) => {
    expect(statusInText(line)?.status).toBe(status);
  });

  it.each([
    ['a line number', '  File "converse_handler.py", line 413, in completion'],
    ['a file position', 'File /opt/x/httpx/_client.py:404, in Client._send'],
    ['a port', 'balancer(): failed to set the current peer (address: api.scaleway.ai port: 443)'],
    ['a host and port', 'connecting to 127.0.0.1:502 failed'],
    ['durations', 'REPORT RequestId: b0bf Duration: 503.16 ms Billed Duration: 504 ms Memory Size: 512 MB'],
    ['a token count', 'max_tokens: 500 exceeds the limit'],
    ['a count of things', 'processed 429 requests in 3 s'],
    ['a list of codes', 'retrying on statuses 429, 500, 502 and 503'],
    ['a pid', '[pid 502] worker booted'],
    ['a version', 'nginx/1.25.503 started'],
    ['a date', '2024-05-03 10:00:00 started'],
    ['a hex id', 'Digest: sha256:aa0cc8055b82dc2509bed2e19b275c8f'],
    ['a decimal', 'Avg prompt throughput: 429.3 tokens/s'],
    ['a bare number with no status context', 'queue depth 503 at noon'],
    ['a bracketed count before a list', 'loaded (450) [a, b]'],
  ])('finds no status in %s', (_what, line) => {
    expect(statusInText(line)).toBeUndefined();
  });

  it('says why a number is a status', () => {
    expect(statusInText('HTTP/1.1 503 Service Unavailable')?.evidence).toMatch(/HTTP status line/);
    expect(statusInText('HTTP/1.1 503 Service Unavailable')?.evidence).toMatch(/reason phrase matches/);
  });
});
