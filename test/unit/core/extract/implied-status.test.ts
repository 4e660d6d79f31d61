import { impliedStatus, statusFromErrorCode } from '../../../../functions/core/extract/implied-status';

describe('impliedStatus', () => {
  it.each([
    ['openai.RateLimitError: Rate limit reached for gpt-4', 429],
    ['litellm.exceptions.ServiceUnavailableError: upstream down', 503],
    ['openai.InternalServerError: Internal Server Error', 500],
    ['litellm.llms.anthropic.AnthropicError: Overloaded', 529],
    ["{'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}", 529],
    ['"status": "RESOURCE_EXHAUSTED"', 429],
    ['Request failed with Status Code: TooManyRequests', 429],
    ['Rate limit exceeded. Waiting for 10 seconds.', 429],
    ["reason = 'Too Many Requests'", 429],
    ['[error] 6#6: *2 upstream timed out (110: Connection timed out) while reading response header', 504],
    ['connect() failed (111: Connection refused) while connecting to upstream, client: 172.19.0.5', 502],
    ['upstream connect error or disconnect/reset before headers. reset reason: connection failure', 503],
    ['Code: FUNCTION_INVOCATION_TIMEOUT', 504],
    ['openai.NotFoundError: The model does not exist', 404],
  ])('reads %s as %d', (line, status) => {
    expect(impliedStatus(line)?.status).toBe(status);
  });

  it.each([
    'openai.APIConnectionError: Connection error.',
    'openai.APIError: The server had an error processing your request.',
    "error_code=None error_message='The server is currently overloaded with other requests.'",
    'NotFoundError: no such row in users', // an ORM's class, not an SDK's
    'Possible quota limitations in place or slow response times detected.',
    'PermissionError: [Errno 13] Permission denied: /etc/x',
  ])('implies nothing for %s', (line) => {
    expect(impliedStatus(line)).toBeUndefined();
  });

  it('maps error codes in any case, and nothing for inherited object keys', () => {
    expect(statusFromErrorCode('NOT_FOUND')).toBe(404);
    expect(statusFromErrorCode('rate_limit_error')).toBe(429);
    expect(statusFromErrorCode('constructor')).toBeUndefined();
    expect(statusFromErrorCode('__proto__')).toBeUndefined();
    expect(statusFromErrorCode('invalid_request_error')).toBeUndefined();
  });
});

describe('mayImply (the screen before the patterns)', () => {
  it('lets through every line a pattern reads', async () => {
    const { mayImply } = await import('../../../../functions/core/extract/implied-status');
    for (const line of [
      'openai.RateLimitError: Rate limit reached',
      'Code: FUNCTION_INVOCATION_TIMEOUT',
      'rpc error: code = Unavailable desc = x',
      'HttpServerErrorException$GatewayTimeout',
      'ThrottlingException: Rate exceeded',
      '"status": "FAILED_PRECONDITION"',
      'at=error code=H12 desc="Request timeout"',
    ])
      expect(mayImply(line)).toBe(true);
    expect(mayImply('INFO worker 3 started in 42 ms')).toBe(false);
  });
});
