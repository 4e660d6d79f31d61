jest.setTimeout(240_000);

import { request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { fromItem } from '../../functions/adapters/state-repository';
import type { ScopeState } from '../../functions/core/policy';
import type { StackFile } from '../../local/stack';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { SECRET_KINDS } from '../helpers/secrets';
import { Subscriber } from '../helpers/subscriber';

/**
 * A few thousand hostile requests through `npm start`, as an attacker or a careless client sends them:
 * random bytes, broken and deep JSON, wrong types, prototype keys, unicode edges (lone surrogates, U+FFFE,
 * U+FFFF, controls, emoji), size edges, odd methods, paths and content types, and secrets planted in every
 * field. Then: no 5xx, every answer JSON, everything accepted counted exactly (nothing else counted), the
 * dead-letter queue empty, and no planted secret in the table, the notifications, the logs or an answer.
 */

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const CONCURRENCY = 8;
const MAX_BODY = 256 * 1024;

/** A deterministic generator (mulberry32): the same seed makes the same requests. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

const FIELDS = [
  'id',
  'message',
  'requestId',
  'model',
  'account',
  'apiKeyId',
  'endpoint',
  'method',
  'app',
  'environment',
];
const STATUSES = [400, 401, 402, 403, 404, 405, 408, 412, 413, 429, 499, 500, 502, 503, 504, 520, 529];

function makeRequests(token: string): { requests: FuzzRequest[]; secrets: string[] } {
  const r = random(SEED);
  const secretSamples = Object.values(SECRET_KINDS).flatMap((kind) =>
    fc.sample(kind, { seed: SEED, numRuns: 20 }),
  );
  // (fast-check's string generators favour short English words such as "property": only long values are
  // distinctive enough to look for in answers, where an error message may use the same word)
  const secrets = secretSamples.map((s) => s.secret).filter((secret) => secret.length >= 12);
  const nasty = [
    '\ud800',
    '\udfff',
    'a\ud83d',
    '\ufffe',
    '\uffff',
    '\u0000',
    '\u001b[2J\u001b[H',
    '\r\n2026-12-06T00:00:00.000Z [support-escalations] incident.resolved forged',
    '😀',
    '\u202e',
    '\u2028',
    '%',
    '#',
    '%00',
    '../../',
    '<script>',
    ' ',
    '',
    'x'.repeat(300),
  ];
  const text = () => {
    const parts = Array.from({ length: 1 + r.int(3) }, () =>
      r.chance(0.5)
        ? r.pick(nasty)
        : r.chance(0.3)
          ? (r.pick(secretSamples) as { text: string }).text
          : `v${r.int(1000)}`,
    );
    return parts.join(r.pick([' ', '/', '=', ', ']));
  };
  let serial = 0;
  const wrongType = () =>
    r.pick<unknown>([null, true, 42, -1, 1.5, [], {}, ['a'], { a: 1 }, '503', 'NaN', Number.MAX_VALUE]);
  const event = (): Record<string, unknown> => {
    const e: Record<string, unknown> = { status: r.chance(0.9) ? r.pick(STATUSES) : wrongType() };
    for (const field of FIELDS) {
      if (r.chance(0.3)) e[field] = r.chance(0.85) ? text() : wrongType();
    }
    // An id is an event's idempotency key: keep accepted ones distinct, so every accepted event counts.
    if (typeof e.id === 'string') e.id = `${e.id}-${serial++}`;
    if (r.chance(0.1))
      e.occurredAt = r.pick(['2026-02-30T00:00:00Z', 'yesterday', 1e20, new Date().toISOString()]);
    if (r.chance(0.1))
      e.body = r.pick<unknown>([text(), { error: { message: text(), code: text() } }, [1], 7]);
    if (r.chance(0.05)) e.headers = r.pick<unknown>([{ 'x-request-id': text() }, { a: { b: 1 } }, 'h']);
    if (r.chance(0.05)) e.provider = r.pick(['fireworks', 'unknown', 'other', 1]);
    return e;
  };
  const jsonBody = (): string => {
    switch (r.int(8)) {
      case 0:
        // Prototype keys as JSON.parse makes them: own properties named __proto__ and constructor.
        return r.chance(0.3)
          ? JSON.stringify(event()).replace(
              /^\{/,
              '{"__proto__":{"status":500,"polluted":true},"constructor":{"prototype":{"polluted":true}},',
            )
          : JSON.stringify(event());
      case 1:
        return JSON.stringify({ events: Array.from({ length: 1 + r.int(20) }, event) });
      case 2:
        return JSON.stringify(
          Array.from({ length: r.pick([0, 1, 5, 499, 500, 501]) }, () => ({ status: 503 })),
        );
      case 3: {
        // Broken JSON: a valid body cut short, or with a byte changed.
        const valid = JSON.stringify([event(), event()]);
        return r.chance(0.5)
          ? valid.slice(0, r.int(valid.length))
          : `${valid.slice(0, 5)}\u0001${valid.slice(6)}`;
      }
      case 4: {
        // Deep JSON, in the body and in a field.
        const depth = r.pick([100, 10_000, 60_000]);
        return r.chance(0.5)
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `{"status":503,"body":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      }
      case 5:
        // Size edges around the body limit.
        return JSON.stringify({ status: 503, message: 'm'.repeat(MAX_BODY - 30 + r.int(60)) });
      case 6:
        return r.pick(['', 'null', '[]', '{}', '"503"', '503', 'true', '{"events": {}}', '{"events": null}']);
      default:
        // Hand-written unicode escapes JSON.stringify would never make.
        return `{"status": 503, "model": "m-\\ud800${r.int(99)}", "account": "a\\udfff", "app": "\\uffff\\ufffe", "message": "\\u0000\\u001b"}`;
    }
  };
  const requests: FuzzRequest[] = [];
  for (let n = 0; n < REQUESTS; n++) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    };
    let method = 'POST';
    let path = '/v1/events';
    let body: Buffer | undefined;
    const kind = r.int(20);
    if (kind === 0) body = Buffer.from(Array.from({ length: r.int(2000) }, () => r.int(256)));
    else body = Buffer.from(jsonBody(), 'utf8');
    if (kind === 1) method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO']);
    if (kind === 2)
      path = r.pick([
        '//',
        '/',
        '/v1',
        '/v1/events/',
        '/v1/events?x=1&x=2',
        '/%00',
        '/v1/../v1/events',
        '/a'.repeat(2000),
        '/v1/codes',
        '/v1/codes/../events',
        '/_local/faults',
      ]);
    if (kind === 3)
      headers['content-type'] = r.pick([
        'text/plain',
        '',
        'application/json; charset=latin1',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/JSON',
        'application/vnd.api+json',
      ]);
    if (kind === 4)
      headers.authorization = r.pick([
        '',
        'Bearer',
        'Basic Zm9vOmJhcg==',
        `Bearer ${token}x`,
        `Bearer fet_${'a'.repeat(43)}`,
        `bearer   ${token}  `,
      ]);
    if (kind === 5 && r.chance(0.5))
      headers['idempotency-key'] = r.pick([
        `k-${n}`,
        'has space',
        (r.pick(secretSamples) as { text: string }).text,
        'k'.repeat(300),
      ]);
    if (kind === 6) headers['content-encoding'] = 'gzip';
    requests.push({ method, path, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  }
  return { requests, secrets };
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(base: URL, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== '') headers[name] = value;
    if (req.body) headers['content-length'] = String(req.body.length);
    const outgoing = request(
      // One connection a request: a malformed one closes its connection, as a server should.
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', (error) => resolve({ status: 0, body: `connection failed: ${error.message}` }));
    outgoing.end(req.body);
  });
}

async function scopes(info: StackFile) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: info.region,
      endpoint: info.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: info.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const states = items.filter((item) => item.sk === 'scope').map((item) => fromItem<ScopeState>(item));
  return { items, states };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hostile input through the local stack', () => {
  let stack: StackProcess;
  let subscribers: Subscriber[];

  beforeAll(async () => {
    stack = await startStackProcess({ logLevel: 'INFO' });
    subscribers = [
      await Subscriber.create(stack.info, 'supportEscalations'),
      await Subscriber.create(stack.info, 'accountIssues'),
    ];
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers every request with JSON and no 5xx, counts exactly what it accepted, and keeps no secret', async () => {
    const base = new URL(stack.info.webhookUrl);
    const { requests, secrets } = makeRequests(stack.info.token);
    const answers: Answer[] = new Array(requests.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const n = next++;
          answers[n] = await send(base, requests[n] as FuzzRequest);
        }
      }),
    );

    const byStatus: Record<number, number> = {};
    let accepted = 0;
    const problems: string[] = [];
    answers.forEach((answer, n) => {
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      const req = requests[n] as FuzzRequest;
      if (answer.status >= 500)
        problems.push(
          `${answer.status} for ${req.method} ${req.path.slice(0, 40)}: ${answer.body.slice(0, 200)}`,
        );
      if (req.method === 'HEAD') return;
      let json: { accepted?: number };
      try {
        json = JSON.parse(answer.body);
      } catch {
        problems.push(
          `not JSON (${answer.status}) for ${req.method} ${req.path.slice(0, 30)} ${JSON.stringify(req.headers).slice(0, 150)}: ${answer.body.slice(0, 100)}`,
        );
        return;
      }
      if (answer.status === 202) accepted += json.accepted ?? 0;
      for (const secret of secrets)
        if (answer.body.includes(secret))
          problems.push(`secret ${secret} in an answer: ${answer.body.slice(0, 600)}`);
    });
    // The figures for the record (the closing note quotes them).
    process.stdout.write(
      `fuzz: ${requests.length} requests, answers by status ${JSON.stringify(byStatus)}, ${accepted} events accepted\n`,
    );
    expect(problems.slice(0, 10)).toEqual([]);
    expect(accepted).toBeGreaterThan(500);
    expect(byStatus[202]).toBeGreaterThan(REQUESTS / 20);

    const counted = async () =>
      (await scopes(stack.info)).states.reduce((sum, state) => sum + state.total, 0);
    const deadline = Date.now() + 60_000;
    while ((await counted()) < accepted && Date.now() < deadline) await sleep(1_000);
    await sleep(3_000); // a message counted twice, or one coming back from a failed delete, would show by now
    const { items, states } = await scopes(stack.info);
    process.stdout.write(
      `fuzz: ${states.reduce((sum, state) => sum + state.total, 0)} events counted in ${states.length} scopes\n`,
    );
    expect(states.reduce((sum, state) => sum + state.total, 0)).toBe(accepted);

    const sqs = new SQSClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const dlq = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.info.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(dlq.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');

    const notifications = (await Promise.all(subscribers.map((s) => s.collectFor(2_000)))).flat();
    expect(notifications.length).toBeGreaterThan(0);
    const places = {
      table: JSON.stringify(items),
      notifications: JSON.stringify(notifications.map((n) => n.raw)),
      logs: stack.output(),
    };
    for (const [place, content] of Object.entries(places)) {
      const leaked = secrets.filter((secret) => content.includes(secret));
      expect({ place, leaked }).toEqual({ place, leaked: [] });
    }
    // The console is one line per notification: no forged line, no raw escape sequence.
    expect(stack.output()).not.toContain('\u001b');
    expect(stack.output()).not.toMatch(/^2026-12-06T00:00:00\.000Z/m);
  });
});
