import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EventQueue } from '../../../functions/adapters/event-queue';
import type { TokenIdentity } from '../../../functions/adapters/token-store';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { createIngestHandler } from '../../../functions/ingest/ingest';
import { INTERNAL_ERROR_MESSAGE } from '../../../functions/shared/http';
import { readQueueBody } from '../../../functions/shared/queue-body';
import { lambdaContext, postEvents, type RequestOverrides } from '../../fixtures/apigw';

const TOKEN = `fet_${'k'.repeat(43)}`;
const RECEIVED_AT = Date.UTC(2026, 10, 25, 15, 0, 0);
const sqs = mockClient(SQSClient);

/** A token store that knows one token. */
function fakeTokens(
  identity: TokenIdentity = { tokenId: 'a1b2c3d4e5f6', app: 'checkout', account: 'acme', scope: 'ingest' },
) {
  return { verify: jest.fn(async (token: string) => (token === TOKEN ? identity : undefined)) };
}

function setup(identity?: TokenIdentity) {
  const tokens = fakeTokens(identity);
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  const added = jest.spyOn(Metrics.prototype, 'addMetric');
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  let n = 0;
  const handler = createIngestHandler({
    tokens,
    queue: new EventQueue({
      queueUrl: 'http://127.0.0.1:1/000000000000/events',
      client: new SQSClient({ region: 'us-east-1' }),
      sleep: async () => undefined,
    }),
    clock: () => RECEIVED_AT,
    newId: () => `id-${++n}`,
    logger,
    metrics,
    plugin: { timeoutEarlyInMillis: 0 },
  });
  const call = async (overrides: RequestOverrides = {}) => {
    const result = await handler(
      postEvents({ ...overrides, headers: { authorization: `Bearer ${TOKEN}`, ...overrides.headers } }),
      lambdaContext(),
    );
    return { ...result, json: JSON.parse(result.body) };
  };
  return { call, tokens, added, logger };
}

function sentMessages() {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => parseQueueMessage(readQueueBody(e.MessageBody ?? '')));
}

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
});

describe('ingest handler: accepted', () => {
  it('answers 202 with the ids once the events are queued, with receive time and source', async () => {
    const { call } = setup();
    const result = await call({
      body: JSON.stringify([
        { id: 'client-1', status: 503, model: 'm1', occurredAt: '2026-11-25T14:59:00Z' },
        { status: 401, message: 'Invalid API key' },
      ]),
    });

    expect(result.statusCode).toBe(202);
    expect(result.json).toEqual({ accepted: 2, ids: ['client-1', 'id-1'] });
    const [message] = sentMessages();
    expect(message?.receivedAt).toBe(RECEIVED_AT);
    expect(message?.batchId).toBe('id-2');
    expect(message?.events).toEqual([
      {
        id: 'client-1',
        status: 503,
        model: 'm1',
        occurredAt: '2026-11-25T14:59:00.000Z',
        app: 'checkout',
        account: 'acme',
        source: 'webhook',
      },
      {
        id: 'id-1',
        status: 401,
        message: 'Invalid API key',
        app: 'checkout',
        account: 'acme',
        source: 'webhook',
      },
    ]);
  });

  it('keeps the app and account an event names over the token’s', async () => {
    const { call } = setup();
    await call({ body: JSON.stringify({ status: 402, app: 'search', account: 'globex' }) });
    expect(sentMessages()[0]?.events[0]).toMatchObject({ app: 'search', account: 'globex' });
  });

  it('leaves account unset when neither the event nor the token has one', async () => {
    const { call } = setup({ tokenId: 'ffffffffffff', app: 'batch', scope: 'ingest' });
    await call({ body: JSON.stringify({ status: 500 }) });
    const event = sentMessages()[0]?.events[0];
    expect(event?.app).toBe('batch');
    expect(event).not.toHaveProperty('account');
  });

  it('accepts { "events": [...] }, a +json content type and a base64-encoded body', async () => {
    const { call } = setup();
    const result = await call({
      headers: { 'content-type': 'application/vnd.triage+json; charset=utf-8' },
      body: Buffer.from(JSON.stringify({ events: [{ status: 504 }] })).toString('base64'),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(202);
    expect(sentMessages()[0]?.events[0]?.status).toBe(504);
  });

  it('normalises a Fireworks error response and redacts secrets before queueing', async () => {
    const { call } = setup();
    await call({
      body: JSON.stringify({
        status: 429,
        body: { error: { message: 'quota hit for key fw_ABCDEFGHIJKLMNOPQRST', type: 'rate_limit' } },
        headers: { 'x-request-id': 'req-9' },
      }),
    });
    const event = sentMessages()[0]?.events[0];
    expect(event).toMatchObject({ status: 429, requestId: 'req-9', errorType: 'rate_limit' });
    expect(JSON.stringify(event)).not.toContain('fw_ABCDEFGHIJKLMNOPQRST');
  });

  it('counts accepted events and logs the token id, never the token', async () => {
    const { call, added, logger } = setup();
    const appended = jest.spyOn(logger, 'appendKeys');
    await call({ body: JSON.stringify([{ status: 503 }, { status: 503 }, { status: 503 }]) });
    expect(added).toHaveBeenCalledWith('EventsAccepted', 'Count', 3);
    expect(appended).toHaveBeenCalledWith({ app: 'checkout', tokenId: 'a1b2c3d4e5f6' });
    expect(JSON.stringify(appended.mock.calls)).not.toContain(TOKEN);
  });

  it('does not count base64 overhead against the size limit', async () => {
    const { call } = setup();
    const body = JSON.stringify({ status: 503, message: 'y'.repeat(200 * 1024) });
    const result = await call({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
    expect(result.statusCode).toBe(202);
  });
});

describe('ingest handler: retries of a request whose events carry ids', () => {
  const named = [
    { id: 'c-1', status: 503, model: 'm1' },
    { id: 'c-2', status: 429, model: 'm1' },
  ];
  const batchIdsOf = async (body: unknown, identity?: TokenIdentity) => {
    sqs.resetHistory();
    const { call } = setup(identity);
    expect((await call({ body: JSON.stringify(body) })).statusCode).toBe(202);
    return sentMessages().map((m) => m.batchId);
  };

  it('makes the same batch ids when the same events are sent again, so triage counts them once', async () => {
    const first = await batchIdsOf(named);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^k-[\w-]{32}$/);
    expect(await batchIdsOf({ events: named })).toEqual(first);
  });

  it('makes other batch ids for other ids, another order, or another app', async () => {
    const first = await batchIdsOf(named);
    expect(await batchIdsOf([named[0], { ...named[1], id: 'c-3' }])).not.toEqual(first);
    expect(await batchIdsOf([named[1], named[0]])).not.toEqual(first);
    expect(await batchIdsOf(named, { tokenId: 'ffffffffffff', app: 'billing', scope: 'ingest' })).not.toEqual(
      first,
    );
  });

  it('makes new batch ids for every request when an event has no id of its own', async () => {
    const { call } = setup();
    const body = JSON.stringify([named[0], { status: 500, model: 'm1' }]);
    await call({ body });
    await call({ body });
    // The fake id source counts: the generated event id, then the request's batch prefix.
    expect(sentMessages().map((m) => m.batchId)).toEqual(['id-2', 'id-4']);
  });
});

describe('ingest handler: rejected', () => {
  afterEach(() => {
    // A rejected request changes nothing.
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 405 with Allow: POST for other methods, before looking at the token', async () => {
    const { call, tokens } = setup();
    const result = await call({ method: 'GET', headers: { authorization: undefined } });
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('POST');
    expect(result.json.error).toMatchObject({ status: 405, type: 'method_not_allowed' });
    expect(tokens.verify).not.toHaveBeenCalled();
  });

  it('answers 401 with WWW-Authenticate when the bearer token is missing', async () => {
    const { call } = setup();
    for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const result = await call({ headers: { authorization } });
      expect(result.statusCode).toBe(401);
      expect(result.headers?.['www-authenticate']).toMatch(/^Bearer/);
      expect(result.json.error).toMatchObject({ status: 401, type: 'unauthorized' });
      expect(result.json.error.message).toMatch(/missing bearer token/);
    }
  });

  it('answers 401 for an unknown token, without echoing it', async () => {
    const { call } = setup();
    const unknown = `fet_${'u'.repeat(43)}`;
    const result = await call({ headers: { authorization: `Bearer ${unknown}` } });
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(result.body).not.toContain(unknown);
  });

  it('answers 403 forbidden to a read token, and accepts an admin token', async () => {
    const read = setup({ tokenId: 'eeeeeeeeeeee', app: 'dashboard', scope: 'read' });
    const refused = await read.call({ body: '{"status": 500}' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json.error).toMatchObject({ status: 403, type: 'forbidden' });
    expect(refused.json.error.message).toMatch(/scope is read/);
    expect(refused.body).not.toContain(TOKEN);
    const admin = setup({ tokenId: 'dddddddddddd', app: 'oncall', scope: 'admin' });
    expect(
      (await admin.call({ body: 'not json', headers: { 'content-type': 'text/plain' } })).statusCode,
    ).toBe(415);
  });

  it('checks the token before the content type or body', async () => {
    const { call } = setup();
    const result = await call({
      headers: { authorization: undefined, 'content-type': 'text/plain' },
      body: '{',
    });
    expect(result.statusCode).toBe(401);
  });

  it('answers 415 unless the body is JSON', async () => {
    const { call } = setup();
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
      'application/jsonx',
    ]) {
      const result = await call({ headers: { 'content-type': contentType } });
      expect(result.statusCode).toBe(415);
      expect(result.json.error.type).toBe('unsupported_media_type');
    }
  });

  it('answers 413 for a body over 256 KiB, measured after base64 decoding', async () => {
    const { call } = setup();
    const big = JSON.stringify({ status: 503, message: 'x'.repeat(256 * 1024) });
    const plain = await call({ body: big });
    expect(plain.statusCode).toBe(413);
    expect(plain.json.error.type).toBe('payload_too_large');
    const encoded = await call({ body: Buffer.from(big).toString('base64'), isBase64Encoded: true });
    expect(encoded.statusCode).toBe(413);
  });

  it('answers 413 for more than 500 events', async () => {
    const { call } = setup();
    const result = await call({ body: JSON.stringify(Array.from({ length: 501 }, () => ({ status: 503 }))) });
    expect(result.statusCode).toBe(413);
    expect(result.json.error.message).toMatch(/501/);
  });

  it('answers 400 naming the position of a JSON syntax error', async () => {
    const { call } = setup();
    const result = await call({ body: '{"status": 503,}' });
    expect(result.statusCode).toBe(400);
    expect(result.json.error.type).toBe('invalid_request');
    expect(result.json.error.message).toMatch(/position 15/);
  });

  it('answers 400 for an empty body', async () => {
    const { call } = setup();
    const result = await call({ body: '' });
    expect(result.statusCode).toBe(400);
  });

  it('answers 400 with an error per invalid item and field, accepting none of the batch', async () => {
    const { call, added } = setup();
    const result = await call({
      body: JSON.stringify({ events: [{ status: 503 }, { status: 999 }, { message: 'no status' }] }),
    });
    expect(result.statusCode).toBe(400);
    expect(result.json.error.message).toMatch(/2 of 3 events are invalid/);
    expect(result.json.error.details).toEqual([
      { path: 'events[1].status', message: expect.stringMatching(/HTTP status/) },
      { path: 'events[2].status', message: expect.stringMatching(/status is required/) },
    ]);
    expect(added).toHaveBeenCalledWith('RequestsRejected', 'Count', 1);
  });
});

describe('ingest handler: queue failure', () => {
  it('answers a generic 500 that leaks nothing about the queue', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejects(new Error('AccessDenied: arn:aws:sqs:us-east-1:123456789012:events'));
    const { call } = setup();
    const result = await call();
    expect(result.statusCode).toBe(500);
    expect(result.json).toEqual({
      error: { status: 500, type: 'internal_error', message: INTERNAL_ERROR_MESSAGE },
    });
    expect(result.body).not.toMatch(/arn:aws|AccessDenied|sqs/i);
  });
});

describe('ingest handler: all or nothing', () => {
  it('queues a request that spans both lanes as one message, so there is no second send to fail', async () => {
    const { call } = setup();
    const events = [
      { status: 500, model: 'm1' },
      ...Array.from({ length: 300 }, (_, n) => ({ status: 503, model: `m${n}`, message: 'x'.repeat(700) })),
    ];
    const result = await call({ body: JSON.stringify(events) });
    expect(result.statusCode).toBe(202);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.Entries).toHaveLength(1);
    expect(sentMessages()[0]?.events).toHaveLength(301);
  });

  it('answers 500 and has queued nothing when the one send fails', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('connect ECONNREFUSED'));
    const { call } = setup();
    const result = await call({ body: JSON.stringify([{ status: 500 }, { status: 503 }]) });
    expect(result.statusCode).toBe(500);
    expect(
      sqs.commandCalls(SendMessageBatchCommand).every((c) => c.args[0].input.Entries?.length === 1),
    ).toBe(true);
  });

  it('refuses with 413, before any send, a request whose events do not fit one message even compressed', async () => {
    const { call } = setup();
    // Incompressible text near the body limit: 63 events of 4090 random base64 characters.
    const random = () =>
      Buffer.from(Array.from({ length: 3068 }, () => Math.floor(Math.random() * 256)))
        .toString('base64')
        .slice(0, 4090);
    const body = JSON.stringify(Array.from({ length: 63 }, () => ({ status: 503, message: random() })));
    expect(body.length).toBeLessThan(256 * 1024);
    const result = await call({ body });
    expect(result.statusCode).toBe(413);
    expect(result.json.error.message).toMatch(/split the batch/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('makes the same batch and event ids for a retry with the same Idempotency-Key', async () => {
    const { call } = setup();
    const body = JSON.stringify([{ status: 500 }, { status: 503 }]);
    const first = await call({ body, headers: { 'idempotency-key': 'req-42' } });
    const again = await call({ body, headers: { 'idempotency-key': 'req-42' } });
    const other = await call({ body, headers: { 'idempotency-key': 'req-43' } });
    // The same key with another body is another request, not a retry: counted, not dropped.
    const misused = await call({ body: '[{"status": 502}]', headers: { 'idempotency-key': 'req-42' } });
    expect(first.json.ids).toEqual(again.json.ids);
    expect(first.json.ids).not.toEqual(other.json.ids);
    expect(misused.json.ids).not.toEqual(first.json.ids.slice(0, 1));
    const [a, b, c, d] = sentMessages().map((m) => m.batchId);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });

  it('refuses an Idempotency-Key that is not printable ASCII or carries a credential', async () => {
    const { call } = setup();
    for (const key of ['has space', `fw_${'a'.repeat(24)}`, 'x'.repeat(256)]) {
      const result = await call({ body: '{"status": 500}', headers: { 'idempotency-key': key } });
      expect(result.statusCode).toBe(400);
      expect(result.json.error.details[0].path).toBe('headers.idempotency-key');
    }
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('ingest handler: strings JSON allows and queues, stores and topics do not', () => {
  it('accepts lone surrogates, U+FFFE and U+FFFF, and queues them as U+FFFD in SQS-safe text', async () => {
    const { call } = setup();
    const body =
      '{"status": 500, "account": "a-\\ud800", "model": "m-\\udfff", "app": "x\\uffff", "message": "y\\ufffe 😀"}';
    const result = await call({ body });
    expect(result.statusCode).toBe(202);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    // Only characters SQS allows, and none the local emulator refuses.
    expect(entry?.MessageBody).toMatch(/^[\t\n\r\x20-\ud7ff\ue000-\ufffd]*$/);
    const [event] = sentMessages()[0]?.events ?? [];
    expect(event).toMatchObject({
      account: 'a-\ufffd',
      model: 'm-\ufffd',
      app: 'x\ufffd',
      message: 'y\ufffd 😀',
    });
  });

  it('refuses an id or apiKeyId that carries a credential, and redacts one in any other field', async () => {
    const { call } = setup();
    const key = `fw_${'Ab1'.repeat(8)}`;
    for (const field of ['id', 'apiKeyId']) {
      const result = await call({ body: JSON.stringify({ status: 401, [field]: key }) });
      expect(result.statusCode).toBe(400);
      expect(result.json.error.details[0].path).toBe(field);
      expect(result.body).not.toContain(key);
    }
    const accepted = await call({
      body: JSON.stringify({ status: 401, model: `key ${key}`, requestId: key }),
    });
    expect(accepted.statusCode).toBe(202);
    expect(
      JSON.stringify(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries)),
    ).not.toContain(key);
  });
});

describe('ingest handler: token store unreachable', () => {
  it('answers 503 service_unavailable with Retry-After, and queues nothing', async () => {
    const { call, tokens } = setup();
    tokens.verify.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    const result = await call({ body: '{"status": 500}' });
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('5');
    expect(result.json.error).toMatchObject({ status: 503, type: 'service_unavailable' });
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});
