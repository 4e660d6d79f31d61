import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildSync } from 'esbuild';
import { TokenStore } from '../../functions/adapters/token-store';
import { encodeBatch } from '../../functions/shared/queue-body';
import { startLocalSecrets } from '../../local/secrets-manager';
import { getCodes, postEvents } from '../fixtures/apigw';
import { dataPayload, subscriptionEvent } from '../fixtures/logs/payload';
import { sqsEvent, sqsRecord } from '../fixtures/sqs';
import { incidentOpened } from '../helpers/notification-intent';
import { createStateTable } from '../helpers/table';
import { buildTestApp, EVERY_FUNCTION, type Resources } from '../unit/lib/synth';

const runFile = promisify(execFile);

/** Dummy values for the variables each handler requires at cold start. */
const HANDLER_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'state',
  EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/events',
  SUPPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:support',
  ACCOUNT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:account',
  POLICY_CONFIG: '{}',
  LOG_COUNT: 'default',
  PAGERDUTY_SECRET_ID: 'triage/pagerduty',
  PAGERDUTY_ROUTING: '{}',
  PAGERDUTY_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/pagerduty-dlq',
  CHAT_CHANNEL_0_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:chat-pager',
  CHAT_CHANNEL_0_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:chat-pager',
};

const ROUTING_KEY = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey12';

/** A fake Events API v2 that records what it receives and answers 202. */
async function fakeEventsApi(): Promise<{ url: string; received: unknown[]; stop(): Promise<void> }> {
  const received: unknown[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push(JSON.parse(text));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"success","message":"Event processed"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('function bundles', () => {
  // The one synth that runs esbuild for real (the other lib tests skip bundling).
  let bundles: { id: string; dir: string; environment: Record<string, unknown> }[];
  beforeAll(() => {
    const { app } = buildTestApp(EVERY_FUNCTION, { bundle: true });
    const assembly = app.synth();
    const template = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, 'FireworksErrorTriage.template.json'), 'utf8'),
    ) as { Resources: Resources };
    bundles = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => {
        const key = (r.Properties.Code as { S3Key: string }).S3Key;
        const environment =
          (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        return { id, dir: path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`), environment };
      });
  }, 120_000);

  it('bundles each of the eight handlers (the PagerDuty forwarder and the chat relay included) into a minified ESM file with a source map and no sources', () => {
    expect(bundles).toHaveLength(8);
    for (const { dir } of bundles) {
      expect(fs.readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it('leaves nothing outside the bundles but Node built-ins: the AWS SDK inside is the lock file’s', () => {
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const clients = new Set<string>();
    for (const { id, dir } of bundles) {
      const file = path.join(dir, 'index.mjs');
      const code = fs.readFileSync(file, 'utf8');
      // What the bundle imports, as esbuild parses it (static and dynamic imports, require calls).
      const { metafile } = buildSync({
        entryPoints: [file],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        external: ['*'],
        logLevel: 'silent',
      });
      const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
      expect(`${id}: ${imports.filter((s) => !s.startsWith('node:')).join(', ')}`).toBe(`${id}: `);
      // Each bundled client carries its package.json (name and version, for its user agent).
      for (const [, client, version] of code.matchAll(/"@aws-sdk\/(client-[\w-]+)",version:"([\d.]+)"/g)) {
        clients.add(client as string);
        expect(`${id} ${client}@${version}`).toBe(
          `${id} ${client}@${lock.packages[`node_modules/@aws-sdk/${client}`]?.version}`,
        );
      }
    }
    expect([...clients].sort()).toEqual([
      'client-dynamodb',
      'client-secrets-manager',
      'client-sns',
      'client-sqs',
    ]);
  });

  it('loads every bundle with nothing installed beside it, and finds its handler', () => {
    // As on Lambda, where the bundle's own SDK is the one that runs: here nothing else is there to find.
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runtime-'));
    try {
      for (const { id, dir } of bundles) {
        const task = path.join(runtime, id);
        fs.mkdirSync(task);
        fs.copyFileSync(path.join(dir, 'index.mjs'), path.join(task, 'index.mjs'));
        const output = execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(path.join(task, 'index.mjs'))}); console.log(typeof m.handler);`,
          ],
          { cwd: task, env: { PATH: process.env.PATH, ...HANDLER_ENV }, encoding: 'utf8' },
        );
        expect(`${id}: ${output.trim()}`).toBe(`${id}: function`);
      }
    } finally {
      fs.rmSync(runtime, { recursive: true, force: true });
    }
  });

  it('runs each shipped bundle once, as Lambda would, against the emulators, with the environment the stack gives it', async () => {
    // What the stack's Refs and GetAtts stand for, here: resources made in the emulators.
    const table = await createStateTable({ prefix: 'bundles' });
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const sns = new SNSClient({});
    const queue = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${process.pid}` }))).QueueUrl as string;
    const topic = async (name: string) =>
      (await sns.send(new CreateTopicCommand({ Name: `${name}-${process.pid}` }))).TopicArn as string;
    const resources: Record<string, string> = {
      TABLE_NAME: table.tableName,
      EVENTS_QUEUE_URL: await queue('bulk'),
      URGENT_EVENTS_QUEUE_URL: await queue('urgent'),
      SUPPORT_TOPIC_ARN: await topic('support'),
      ACCOUNT_TOPIC_ARN: await topic('account'),
      PAGERDUTY_DLQ_URL: await queue('pagerduty-dlq'),
      CHAT_CHANNEL_0_TOPIC_ARN: await topic('chat-pager'),
    };
    const laneQueueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `scope-lane-${process.pid}.fifo`,
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
        }),
      )
    ).QueueUrl as string;
    resources.SCOPE_LANE_QUEUE_URL = laneQueueUrl;
    // The triage invocation below comes from another queue: it is triaged, not forwarded.
    resources.BULK_QUEUE_ARN = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.EVENTS_QUEUE_URL, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn as string;
    const chatQueueUrl = await queue('chat-pager');
    resources.CHAT_CHANNEL_0_QUEUE_ARN = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: chatQueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    const secrets = await startLocalSecrets({ 'triage/pagerduty': ROUTING_KEY });
    const eventsApi = await fakeEventsApi();
    const tokens = new TokenStore({
      tableName: table.tableName,
      documentClient: DynamoDBDocumentClient.from(table.client),
    });
    const { token } = await tokens.create({ app: 'checkout' }, new Date());
    const { token: adminToken } = await tokens.create({ app: 'oncall', scope: 'admin' }, new Date());
    const incidents = getCodes({ headers: { authorization: `Bearer ${adminToken}` } });
    incidents.rawPath = '/v1/incidents';
    incidents.requestContext.http.path = '/v1/incidents';
    incidents.routeKey = 'GET /v1/incidents';
    incidents.requestContext.routeKey = incidents.routeKey;
    const withToken = (event: APIGatewayProxyEventV2) => ({
      ...event,
      headers: { ...event.headers, authorization: `Bearer ${token}` },
    });
    const message = encodeBatch([{ id: 'e-1', status: 503, model: 'm' }], {
      batchId: 'bundle-0',
      receivedAt: Date.now(),
    });
    // A notification as SNS puts it on a queue (the envelope of the `default` message).
    const notification = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify(incidentOpened({ notificationId: 'inc-b:1:opened', subjectId: 'inc-b' })),
    });
    const invocations: Record<string, { event: unknown; expect: (result: unknown) => void }> = {
      Ingest: {
        event: withToken(postEvents({ body: '{"status": 500, "model": "accounts/x/models/bundle"}' })),
        expect: (result) => expect(result).toMatchObject({ statusCode: 202 }),
      },
      Oncall: { event: incidents, expect: (result) => expect(result).toMatchObject({ statusCode: 200 }) },
      Codes: { event: getCodes(), expect: (result) => expect(result).toMatchObject({ statusCode: 200 }) },
      Triage: {
        event: sqsEvent(sqsRecord({ messageId: 'm-1', body: message })),
        expect: (result) => expect(result).toEqual({ batchItemFailures: [] }),
      },
      Sweep: {
        event: { source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString() },
        expect: (result) => expect(result).toMatchObject({ due: expect.any(Number), failed: 0 }),
      },
      PagerDuty: {
        event: sqsEvent(sqsRecord({ messageId: 'm-2', body: notification })),
        expect: (result) => {
          expect(result).toEqual({ batchItemFailures: [] });
          expect(eventsApi.received).toEqual([
            expect.objectContaining({
              routing_key: ROUTING_KEY,
              event_action: 'trigger',
              dedup_key: 'inc-b',
            }),
          ]);
        },
      },
      // The relay publishes to the channel topic its queue (the record's event source) is named with.
      ChatRelay: {
        event: sqsEvent({
          ...sqsRecord({ messageId: 'm-3', body: notification }),
          eventSourceARN: resources.CHAT_CHANNEL_0_QUEUE_ARN as string,
        }),
        expect: (result) => expect(result).toEqual({ batchItemFailures: [] }),
      },
      Logs: {
        event: subscriptionEvent(
          dataPayload([
            "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.fireworks.ai/inference/v1/chat/completions'",
          ]),
        ),
        expect: (result) => expect(result).toMatchObject({ outcome: 'processed', events: 1 }),
      },
    };
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runtime-'));
    try {
      for (const { id, dir, environment } of bundles) {
        const name = Object.keys(invocations).find((n) => id.startsWith(`${n}Function`));
        if (!name) throw new Error(`no invocation for ${id}`);
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
          AWS_ENDPOINT_URL_SNS: process.env.AWS_ENDPOINT_URL_SNS ?? '',
          AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_SQS ?? '',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        };
        for (const [variable, value] of Object.entries(environment)) {
          if (typeof value === 'string') env[variable] = value;
          else if (resources[variable] !== undefined) env[variable] = resources[variable];
          else throw new Error(`${id}: no emulator resource for ${variable}`);
        }
        // The forwarder posts to the local fake instead of PagerDuty.
        if (env.PAGERDUTY_EVENTS_URL) env.PAGERDUTY_EVENTS_URL = eventsApi.url;
        env.POWERTOOLS_LOG_LEVEL = 'SILENT';
        env.POWERTOOLS_METRICS_DISABLED = 'true';
        const task = path.join(runtime, id);
        fs.mkdirSync(task);
        fs.copyFileSync(path.join(dir, 'index.mjs'), path.join(task, 'index.mjs'));
        const script = `
          const { handler } = await import(${JSON.stringify(path.join(task, 'index.mjs'))});
          const context = { ...JSON.parse(process.env.TEST_CONTEXT), getRemainingTimeInMillis: () => 30000 };
          const result = await handler(JSON.parse(process.env.TEST_EVENT), context);
          // Lambda freezes the process after the answer; here, the SDK's kept-alive sockets would hold it open.
          process.stdout.write(JSON.stringify(result ?? null), () => process.exit(0));`;
        let output: string;
        try {
          // Asynchronously: the emulators answer from this very process (jest's global setup).
          ({ stdout: output } = await runFile(process.execPath, ['--input-type=module', '-e', script], {
            cwd: task,
            env: {
              ...env,
              TEST_EVENT: JSON.stringify((invocations[name] as { event: unknown }).event),
              TEST_CONTEXT: JSON.stringify({ functionName: id, awsRequestId: 'r-1', memoryLimitInMB: '512' }),
            },
            encoding: 'utf8',
            timeout: 20_000,
          }));
        } catch (error) {
          throw new Error(
            `${id}: ${(error as Error).message}; ${(error as { stderr?: string }).stderr ?? ''}`,
          );
        }
        (invocations[name] as { expect: (result: unknown) => void }).expect(JSON.parse(output));
      }
    } finally {
      fs.rmSync(runtime, { recursive: true, force: true });
      await table.drop();
      await secrets.stop();
      await eventsApi.stop();
    }
  }, 120_000);

  it('keeps every bundle under 550 KB (the AWS SDK clients inside are 300–370 KB of it)', () => {
    for (const { id, dir } of bundles) {
      const kb = fs.statSync(path.join(dir, 'index.mjs')).size / 1024;
      expect(`${id}: ${kb < 550}`).toBe(`${id}: true`);
    }
  });
});
