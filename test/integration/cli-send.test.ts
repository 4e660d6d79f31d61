import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

type Answer = { status: number; body: unknown };

/** A stand-in webhook: records each request and answers from a script (202 by default). */
class FakeWebhook {
  readonly requests: Recorded[] = [];
  answers: ((body: unknown, n: number) => Answer)[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const n = this.requests.length;
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const answer = this.answers[n]?.(body, n) ?? accept(body, n);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }
}

function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const events = (body as { events?: unknown[] }).events;
  return events ?? [body];
}

function accept(body: unknown, n: number): Answer {
  const ids = eventsOf(body).map((_, i) => `req${n}-ev${i}`);
  return { status: 202, body: { accepted: ids.length, ids } };
}

function captureIo(stdin = ''): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    stdin: Readable.from([stdin]),
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    lines,
    errors,
  };
}

describe('triage send', () => {
  let dir: string;
  let webhook: FakeWebhook;
  let origin: string;
  let stackFile: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-send-'));
    webhook = new FakeWebhook();
    origin = await webhook.start();
    stackFile = join(dir, 'stack.json');
    writeFileSync(
      stackFile,
      JSON.stringify({
        region: 'us-east-1',
        webhookUrl: `${origin}/v1/events`,
        token: 'fet_local',
        endpoints: {},
      }),
    );
  });

  afterEach(async () => {
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.TRIAGE_TOKEN;
  });

  it('posts the event built from flags with the local stack token and prints the accepted id', async () => {
    const io = captureIo();
    const code = await main(
      [
        'send',
        '--stack',
        stackFile,
        '--status',
        '503',
        '--model',
        'accounts/fireworks/models/llama-v3p1-8b-instruct',
        '--account',
        'acme',
        '--app',
        'checkout',
        '--message',
        'service unavailable',
        '--request-id',
        'req-42',
        '--endpoint',
        '/inference/v1/chat/completions',
        '--occurred-at',
        '2026-11-25T15:00:00Z',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(webhook.requests).toEqual([
      {
        method: 'POST',
        url: '/v1/events',
        authorization: 'Bearer fet_local',
        contentType: 'application/json',
        body: {
          status: 503,
          model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
          account: 'acme',
          app: 'checkout',
          message: 'service unavailable',
          requestId: 'req-42',
          endpoint: '/inference/v1/chat/completions',
          occurredAt: '2026-11-25T15:00:00Z',
        },
      },
    ]);
    expect(io.lines).toEqual(['202 accepted 1: req0-ev0']);
  });

  it('sends --count copies in one request and prints the raw answer with --json', async () => {
    const io = captureIo();
    const code = await main(['send', '--stack', stackFile, '--status', '500', '--count', '3', '--json'], io);
    expect(code).toBe(0);
    expect(webhook.requests).toHaveLength(1);
    expect(webhook.requests[0]?.body).toEqual({
      events: [{ status: 500 }, { status: 500 }, { status: 500 }],
    });
    expect(io.lines.map((l) => JSON.parse(l))).toEqual([
      { accepted: 3, ids: ['req0-ev0', 'req0-ev1', 'req0-ev2'] },
    ]);
  });

  it('sends JSON lines from stdin in requests of at most 500 events', async () => {
    const lines = Array.from({ length: 1001 }, (_, n) => JSON.stringify({ status: 502, requestId: `r${n}` }));
    const io = captureIo(`${lines.join('\n')}\n`);
    const code = await main(['send', '--stack', stackFile, '--stdin'], io);
    expect(code).toBe(0);
    expect(webhook.requests.map((r) => eventsOf(r.body).length)).toEqual([500, 500, 1]);
    expect(io.lines).toHaveLength(3);
    expect(io.lines[2]).toBe('202 accepted 1: req2-ev0');
    expect(io.lines[0]).toMatch(/^202 accepted 500: req0-ev0, .* \(\+490 more; --json lists all\)$/);
  });

  it('sends a single JSON body from stdin as it is', async () => {
    const body = { status: 429, body: { error: { message: 'rate limited', type: 'rate_limit' } } };
    const io = captureIo(JSON.stringify(body, null, 2));
    expect(await main(['send', '--stack', stackFile, '--stdin'], io)).toBe(0);
    expect(webhook.requests.map((r) => r.body)).toEqual([body]);
  });

  it('uses TRIAGE_TOKEN and the webhook URL of a deployed stack from the outputs file', async () => {
    const outputs = join(dir, 'outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        FireworksErrorTriage: {
          WebhookUrl: `${origin}/v1/events`,
          StateTableName: 'triage-state',
          Region: 'eu-west-1',
        },
      }),
    );
    const io = captureIo();
    expect(await main(['send', '--outputs', outputs, '--status', '503'], io)).toBe(2);
    expect(io.errors.at(-1)).toContain('no webhook token: pass --token TOKEN or set TRIAGE_TOKEN');
    expect(webhook.requests).toHaveLength(0);

    process.env.TRIAGE_TOKEN = 'fet_deployed';
    expect(await main(['send', '--outputs', outputs, '--status', '503'], io)).toBe(0);
    expect(await main(['send', '--outputs', outputs, '--status', '503', '--token', 'fet_flag'], io)).toBe(0);
    expect(webhook.requests.map((r) => r.authorization)).toEqual(['Bearer fet_deployed', 'Bearer fet_flag']);
  });

  it('prints the error body message and details and exits 1 when the server refuses', async () => {
    webhook.answers = [
      () => ({
        status: 400,
        body: {
          error: {
            status: 400,
            type: 'invalid_request',
            message: '1 of 1 events are invalid; nothing was accepted',
            details: [{ path: 'events[0].model', message: 'model must be a string' }],
          },
        },
      }),
    ];
    const io = captureIo();
    expect(await main(['send', '--stack', stackFile, '--status', '503'], io)).toBe(1);
    expect(io.lines).toEqual([]);
    expect(io.errors).toEqual([
      '400 invalid_request: 1 of 1 events are invalid; nothing was accepted',
      '  events[0].model: model must be a string',
    ]);
  });

  it('stops at the first refused request and says what was accepted before it', async () => {
    webhook.answers = [
      accept,
      () => ({
        status: 401,
        body: { error: { status: 401, type: 'unauthorized', message: 'unknown or revoked token' } },
      }),
    ];
    const lines = Array.from({ length: 1200 }, () => JSON.stringify({ status: 503 }));
    const io = captureIo(lines.join('\n'));
    expect(await main(['send', '--stack', stackFile, '--stdin'], io)).toBe(1);
    expect(webhook.requests).toHaveLength(2);
    expect(io.errors).toEqual([
      '401 unauthorized: unknown or revoked token',
      'triage send: request 2 of 3 was refused; 500 events were accepted before it, the rest was not sent',
    ]);
  });

  it('says the local stack is not running when nothing listens', async () => {
    await webhook.stop();
    const io = captureIo();
    expect(await main(['send', '--stack', stackFile, '--status', '503'], io)).toBe(1);
    expect(io.errors).toEqual([
      `triage send: cannot reach ${origin}/v1/events (nothing is listening there) — is \`npm start\` running?`,
    ]);
  });

  it('exits 2 on an invalid flag and sends nothing', async () => {
    const io = captureIo();
    expect(
      await main(
        ['send', '--stack', stackFile, '--status', '503', '--occurred-at', '2026-02-30T10:00:00Z'],
        io,
      ),
    ).toBe(2);
    expect(io.errors.at(-1)).toContain('triage send: invalid --occurred-at:');
    expect(webhook.requests).toHaveLength(0);
  });
});
