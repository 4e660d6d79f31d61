import { counts } from '../../../../functions/core/extract/attribution';
import { extractFromLine, jsonRecordOf } from '../../../../functions/core/extract/extract-line';

describe('extractFromLine', () => {
  it('reads status, provider, model, error type and code and the body message from an SDK exception', () => {
    const line =
      "openai.NotFoundError: Error code: 404 - {'error': {'object': 'error', 'type': 'invalid_request_error', 'code': 'NOT_FOUND', 'message': 'Model not found: accounts/acme/models/my-lora'}}";
    expect(extractFromLine(line)).toEqual({
      status: 404,
      provider: 'fireworks',
      llm: true,
      evidence: {
        status: '404 (status keyword, error body follows)',
        provider: 'shows Fireworks (accounts/acme/models/)',
      },
      message: 'Model not found: accounts/acme/models/my-lora',
      model: 'accounts/acme/models/my-lora',
      account: 'acme',
      errorType: 'invalid_request_error',
      errorCode: 'NOT_FOUND',
    });
  });

  it('reads a JSON record wrapped in whitespace that trim removes but JSON does not allow', () => {
    // Only the JSON reading gives the app: the text reading of the same line would not.
    const record = JSON.stringify({ status: 503, message: 'upstream failed', service: 'checkout' });
    for (const line of [`\u00a0${record}`, `${record}\u2028`, `\ufeff${record}\t`, ` ${record}`]) {
      expect(extractFromLine(line)).toMatchObject({ status: 503, app: 'checkout' });
    }
  });

  it('keeps the endpoint path up to the first ? or #', () => {
    const line = JSON.stringify({ status: 503, path: '/v1/chat/completions#frag?q=1', model: 'x' });
    expect(extractFromLine(line)?.endpoint).toBe('/v1/chat/completions');
    const other = JSON.stringify({ status: 503, url: '/inference/v1/embeddings?q=1#f', model: 'x' });
    expect(extractFromLine(other)?.endpoint).toBe('/inference/v1/embeddings');
  });

  it('reads the endpoint path and method from a client status line', () => {
    const line =
      'INFO:httpx:HTTP Request: POST https://api.fireworks.ai/inference/v1/chat/completions?x=1 "HTTP/1.1 503 Service Unavailable"';
    expect(extractFromLine(line)).toMatchObject({
      status: 503,
      provider: 'fireworks',
      endpoint: '/inference/v1/chat/completions',
      method: 'POST',
    });
  });

  it('takes the status, app, environment and request id from a structured log record', () => {
    const line = JSON.stringify({
      level: 'error',
      service: 'checkout',
      env: 'prod',
      requestId: 'lambda-invocation-id',
      message: 'call failed',
      error: { status: 502, message: 'Bad gateway', request_id: 'req_12345678' },
    });
    expect(extractFromLine(line)).toEqual({
      status: 502,
      provider: 'unknown',
      evidence: { status: '502 (JSON field "status")', provider: 'names no provider and no service' },
      message: 'Bad gateway',
      requestId: 'req_12345678',
      app: 'checkout',
      environment: 'prod',
    });
  });

  it('prefers the status inside the error object over another status on the line', () => {
    const line = JSON.stringify({ status: 200, error: { statusCode: 429, message: 'slow down' } });
    expect(extractFromLine(line)?.status).toBe(429);
  });

  it('reads the JSON record after a Lambda runtime text prefix', () => {
    const line = `2026-11-25T15:00:00.000Z\t8d3f2c1a-9b7e-4c2d-a1f0-3e5d7c9b1a2f\tERROR\t${JSON.stringify({ statusCode: 504, url: 'https://api.fireworks.ai/inference/v1/completions' })}`;
    expect(extractFromLine(line)).toMatchObject({
      status: 504,
      provider: 'fireworks',
      endpoint: '/inference/v1/completions',
    });
  });

  it('implies the status from an unambiguous error code when the line has no number', () => {
    expect(extractFromLine('{"error":{"code":"RESOURCE_EXHAUSTED","message":"quota"}}')?.status).toBe(429);
    expect(extractFromLine('litellm.RateLimitError: Fireworks_aiException - slow down')?.status).toBe(429);
  });

  it('does not imply a status from an ambiguous error type', () => {
    expect(extractFromLine('{"error":{"type":"invalid_request_error","message":"bad"}}')).toBeUndefined();
  });

  it('redacts keys and tokens in everything it extracts', () => {
    const extraction = extractFromLine(
      'AuthenticationError: 401 Invalid API key fw_3ZxYwVuTsRqPoNmLkJiHgF (Authorization: Bearer abcdefghijklmnop)',
    );
    expect(extraction?.status).toBe(401);
    expect(JSON.stringify(extraction)).not.toMatch(/fw_3Zx|abcdefghijklmnop/);
    expect(extraction?.message).toContain('[REDACTED]');
  });

  it('redacts a key that only JSON escapes hide from the raw line, in every field it lands in', () => {
    // `\u0066w_` is `fw_` once parsed: the raw line passes the secret screen's literals.
    const key = '\\u0066w_3ZxYwVuTsRqPoNmLkJiHgF';
    const line = `{"status":429,"message":"rejected ${key}","model":"${key}","request_id":"${key}","service":"${key}","env":"${key}","url":"https://api.fireworks.ai/inference/v1/${key}"}`;
    const extraction = extractFromLine(line);
    expect(extraction?.status).toBe(429);
    expect(JSON.stringify(extraction)).not.toMatch(/fw_3Zx/);
    for (const field of ['message', 'model', 'requestId', 'app', 'environment', 'endpoint'] as const)
      expect(extraction?.[field]).toContain('[REDACTED]');
  });

  it('redacts a key in the escaped error body message of a text line', () => {
    const line = `openai.RateLimitError: Error code: 429 - {\\"error\\": {\\"message\\": \\"key fw_3ZxYwVuTsRqPoNmLkJiHgF over quota\\"}}`;
    const extraction = extractFromLine(line);
    expect(extraction?.status).toBe(429);
    expect(extraction?.message).toContain('[REDACTED]');
    expect(JSON.stringify(extraction)).not.toMatch(/fw_3Zx/);
  });

  it('ignores 2xx and 3xx responses', () => {
    expect(
      extractFromLine('HTTP Request: POST https://api.fireworks.ai/x "HTTP/1.1 200 OK"'),
    ).toBeUndefined();
    expect(extractFromLine('{"statusCode":304,"level":"error"}')).toBeUndefined();
  });

  it("finds a web server's errors on its own routes, which the default leaves out; an LLM gateway's count", () => {
    for (const line of [
      '"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
      '{"req":{"url":"/api/orders"},"res":{"statusCode":500}}',
    ]) {
      const extraction = extractFromLine(line);
      expect(extraction).toMatchObject({ provider: 'other', llm: false });
      expect(counts(extraction as NonNullable<typeof extraction>, 'default')).toBe(false);
      expect(counts(extraction as NonNullable<typeof extraction>, 'all')).toBe(true);
    }
    const gateway = extractFromLine('"POST /v1/chat/completions HTTP/1.1" 502 10');
    expect(gateway).toMatchObject({ status: 502, provider: 'unknown', llm: true });
  });

  it('ignores embedded-metric records, which count errors rather than report them', () => {
    const emf = JSON.stringify({ _aws: { CloudWatchMetrics: [] }, status: '503', Errors: 1 });
    expect(extractFromLine(emf)).toBeUndefined();
  });

  it('ignores lines that are not JSON objects even when they start with a brace', () => {
    expect(extractFromLine('{not json} took 503ms')).toBeUndefined();
    expect(extractFromLine('{"status": 503')?.status).toBe(503);
  });

  it('keeps at most 4096 characters of a huge message (as an event keeps)', () => {
    const extraction = extractFromLine(`Error code: 500 - ${'x'.repeat(100_000)}`);
    expect(extraction?.status).toBe(500);
    expect(extraction?.message?.length).toBe(4096);
  });

  it('returns nothing for empty and ordinary lines', () => {
    expect(extractFromLine('')).toBeUndefined();
    expect(extractFromLine('INFO worker started')).toBeUndefined();
  });
});

describe('the first look and the JSON record', () => {
  it('reads every line that reports an error, and nothing from lines without a status or error word', () => {
    const errors = [
      'Error code: 429',
      'HTTP/1.1 503 Service Unavailable',
      JSON.stringify({ statusCode: 500, msg: 'upstream' }),
      JSON.stringify({ error: { code: 'NOT_FOUND' } }),
      JSON.stringify({ error: { code: 'UNAUTHENTICATED' } }),
      'openai.RateLimitError: slow down',
    ];
    for (const line of errors) expect(extractFromLine(line)).toBeDefined();
    for (const line of ['', '{}', 'INFO worker started', JSON.stringify({ status: 200, latency_ms: 12 })]) {
      expect(extractFromLine(line)).toBeUndefined();
    }
  });

  it('finds the JSON record of a whole line or after a Lambda runtime prefix, and none in text', () => {
    const record = { status: 503, message: 'upstream failed' };
    expect(jsonRecordOf(JSON.stringify(record))).toEqual(record);
    expect(jsonRecordOf(`2026-11-25T15:00:00.000Z\tabc-123\tERROR\t${JSON.stringify(record)}`)).toEqual(
      record,
    );
    expect(jsonRecordOf('ERROR upstream failed with 503')).toBeUndefined();
    expect(jsonRecordOf('{not json} took 503ms')).toBeUndefined();
    expect(jsonRecordOf('[1,2,3]')).toBeUndefined();
  });
});
