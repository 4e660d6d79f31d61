import { readJsonLine } from '../../../../functions/core/extract/json-line';

describe('readJsonLine', () => {
  it('prefers a status inside an error object to one elsewhere on the record', () => {
    expect(readJsonLine({ status: 200, error: { code: 503, message: 'upstream' } })).toMatchObject({
      status: { status: 503, key: 'code' },
      fields: { message: 'upstream' },
    });
  });

  it('reads the status keys of common loggers', () => {
    for (const key of [
      'status',
      'statusCode',
      'status_code',
      'http.status_code',
      'response_code',
      'upstream_status',
    ]) {
      expect(readJsonLine({ [key]: 502 }).status?.status).toBe(502);
    }
    expect(readJsonLine({ res: { statusCode: '429' } }).status?.status).toBe(429);
  });

  it('takes a bare code only inside an error object', () => {
    expect(readJsonLine({ code: 500, message: 'saved 500 rows' }).status).toBeUndefined();
    expect(readJsonLine({ error: { code: 500 } }).status?.status).toBe(500);
  });

  it('implies a status from an error object’s symbolic code or type', () => {
    expect(readJsonLine({ error: { code: 'NOT_FOUND' } }).impliedStatus?.status).toBe(404);
    expect(readJsonLine({ error: { type: 'overloaded_error' } }).impliedStatus?.status).toBe(529);
  });

  it('reads model, account, request id, method, endpoint, app and environment', () => {
    const reading = readJsonLine({
      service: 'checkout',
      env: 'prod',
      requestId: 'lambda-invocation',
      req: { method: 'POST', url: '/v1/chat/completions' },
      error: { status: 503, request_id: 'req_1', model: 'accounts/acme/models/m', account: 'acme' },
    });
    expect(reading.fields).toEqual({
      app: 'checkout',
      environment: 'prod',
      method: 'POST',
      endpoint: '/v1/chat/completions',
      requestId: 'req_1',
      model: 'accounts/acme/models/m',
      account: 'acme',
    });
  });

  it('treats an embedded-metric record as a metric, not an error', () => {
    expect(readJsonLine({ _aws: { CloudWatchMetrics: [] }, status: 500 })).toMatchObject({ metric: true });
  });

  it('walks a bounded part of a huge or deep record', () => {
    let deep: Record<string, unknown> = { status: 503 };
    for (let i = 0; i < 50; i++) deep = { nested: deep };
    expect(readJsonLine(deep).status).toBeUndefined();
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, { v: i }]));
    expect(readJsonLine(wide).status).toBeUndefined();
  });
});
