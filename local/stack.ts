import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { routeVariables } from '../functions/chat-relay/wiring';
import { parsePolicyConfig } from '../functions/core/policy';
import type { TokenScope } from '../functions/core/token-scope';
import { type Emulators, startEmulators } from './emulators';
import { FaultProxy } from './fault-proxy';
import { createApiServer, type HttpHandler } from './http-server';
import { asFunction, lambdaContext } from './lambda-context';
import {
  asDeliveredToQueue,
  formatNotification,
  NotificationReader,
  type ReceivedNotification,
} from './notification-printer';
import { ensureQueueWithDlq, ensureTable, ensureTopic, type QueuePair, subscribeQueue } from './resources';
import { startLocalSecrets } from './secrets-manager';
import { type SqsHandler, SqsPoller } from './sqs-poller';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalStackOptions {
  /** HTTP port of the webhook (0 = any free port). */
  readonly port: number;
  /** Keep state across restarts in this folder; in memory when absent. */
  readonly dataDir?: string;
  /** The policy config (same schema as the CDK context's `policy`), as JSON-able data. */
  readonly policy: unknown;
  /** Runbook URLs (the CDK context's `runbooks`), carried in every notification. */
  readonly runbooks?: unknown;
  /** How often the sweep runs (the deployed schedule is every minute). */
  readonly sweepIntervalMs: number;
  /** Where to write the stack file the CLI reads; none when undefined. */
  readonly stackFile?: string;
  /** Put switchable fault proxies in front of DynamoDB and SNS, controlled at `POST /_local/faults`. */
  readonly faultControl?: boolean;
  /** Visibility timeout of the events queues: how long a failed batch waits before it is retried (default 30 s). */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * The bulk lane's batching window (default 1 s here, so digests show up quickly; the deployed default is
   * 60 s, `bulkBatch.maxBatchingWindowSeconds`). The urgent lane is polled without a window, as before.
   */
  readonly bulkWindowSeconds?: number;
  /** One writer per scope (config `scopeLane.enabled`): the bulk lane forwards to a FIFO scope lane. */
  readonly scopeLane?: boolean;
  /**
   * Run the PagerDuty forwarder against this Events API URL (a local fake, or PagerDuty itself). With no
   * Secrets Manager emulator, the routing key is held by a local stand-in (local/secrets-manager.ts) that the
   * forwarder's real adapter reads; `routing` is the config's `pagerDuty` topics and severities.
   */
  readonly pagerDuty?: { readonly url: string; readonly routingKey: string; readonly routing: unknown };
  /**
   * The chat channels of config `chat` that have a filterPolicy: each gets its own topic (`chat-<name>`),
   * fed by the chat relay from a queue subscribed to its topics with the policy, as deployed.
   */
  readonly filteredChannels?: readonly FilteredChatChannel[];
  readonly log: (line: string) => void;
  readonly onNotification?: (notification: ReceivedNotification) => void;
}

/** A chat channel with a filter policy (config `chat`, already validated). */
export interface FilteredChatChannel {
  readonly name: string;
  readonly topics: readonly ('support' | 'account')[];
  readonly filterPolicy: Readonly<Record<string, readonly unknown[]>>;
}

/** The secret name the local forwarder reads its routing key under. */
const LOCAL_PAGERDUTY_SECRET = 'local/pagerduty';
const PAGERDUTY_QUEUE = 'fireworks-error-triage-pagerduty';
const CHAT_QUEUE_PREFIX = 'fireworks-error-triage-chat-';

/** What `.local/stack.json` holds: everything a client needs to talk to this stack. */
export interface StackFile {
  readonly region: string;
  readonly webhookUrl: string;
  readonly codesUrl: string;
  /** `GET /v1/incidents` (read or admin token). */
  readonly incidentsUrl: string;
  /** `GET|POST /v1/silences`, `GET|DELETE /v1/silences/{id}` (read to list, admin to change). */
  readonly silencesUrl: string;
  /** An `ingest` token: posts events. */
  readonly token: string;
  /** An `admin` token: every route, including the on-call ones (silences, acknowledgements). */
  readonly adminToken: string;
  readonly tableName: string;
  /** The bulk lane (every event whose status is not urgent). */
  readonly queueUrl: string;
  /** The urgent lane (the policy's immediate statuses, 500 by default). */
  readonly urgentQueueUrl: string;
  /** The dead-letter queue of both lanes. */
  readonly dlqUrl: string;
  readonly endpoints: { readonly sns: string; readonly sqs: string; readonly dynamodb: string };
  readonly topics: { readonly supportEscalations: string; readonly accountIssues: string };
  /** Where the PagerDuty forwarder sends (`--pagerduty-url`), when it runs. */
  readonly pagerDutyUrl?: string;
  /** The own topic of each filtered chat channel, by channel name (what its Chatbot configuration lists). */
  readonly chatTopics?: Readonly<Record<string, string>>;
}

export interface RunningStack {
  readonly info: StackFile;
  /** Run the sweep now (tests and demos do not wait for the timer). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

const TABLE = 'fireworks-error-triage-state';
const QUEUE = 'fireworks-error-triage-events';
const URGENT_QUEUE = 'fireworks-error-triage-urgent-events';
const SCOPE_LANE_QUEUE = 'fireworks-error-triage-scope-lane.fifo';
/** The bulk lane's batch size, as the deployed default (`bulkBatch.batchSize`). */
const BULK_BATCH_SIZE = 100;

type Handlers = {
  ingest: HttpHandler;
  codes: HttpHandler;
  oncall: HttpHandler;
  triage: SqsHandler;
  sweep: (event: ScheduledEvent, context: Context) => Promise<unknown>;
};

/**
 * Runs invocations one at a time. On AWS each function runs in its own containers, one invocation at a
 * time; here every handler shares one process and so one copy of the shared modules' Powertools state
 * (stored metrics, appended log keys): overlapping invocations would flush each other's metrics.
 */
let invocationChain: Promise<unknown> = Promise.resolve();
function oneAtATime<E, T>(
  handler: (event: E, context: Context) => Promise<T>,
  event: E,
  context: Context,
): Promise<T> {
  const run = invocationChain.then(() => asFunction(context.functionName, () => handler(event, context)));
  invocationChain = run.catch(() => undefined);
  return run;
}

/** Import the production handlers after the environment points them at the emulators. */
async function loadHandlers(): Promise<Handlers> {
  const [ingest, codes, oncall, triage, sweep] = await Promise.all([
    import('../functions/ingest/handler'),
    import('../functions/codes/handler'),
    import('../functions/oncall/handler'),
    import('../functions/triage/handler'),
    import('../functions/sweep/handler'),
  ]);
  return {
    ingest: ingest.handler as unknown as HttpHandler,
    codes: codes.handler as unknown as HttpHandler,
    oncall: oncall.handler as unknown as HttpHandler,
    triage: triage.handler as unknown as SqsHandler,
    sweep: sweep.handler as unknown as Handlers['sweep'],
  };
}

/**
 * With `--data`, keep the tokens of the previous run if they are still valid (with the scope they are
 * written under), so saved commands keep working.
 */
async function reusableToken(
  tokens: { verify(token: string): Promise<{ readonly scope: TokenScope } | undefined> },
  stackFile: string | undefined,
  field: 'token' | 'adminToken',
  scope: TokenScope,
): Promise<string | undefined> {
  if (!stackFile || !existsSync(stackFile)) return undefined;
  try {
    const previous = JSON.parse(readFileSync(stackFile, 'utf8')) as Record<string, unknown>;
    const token = previous[field];
    if (typeof token === 'string' && (await tokens.verify(token))?.scope === scope) return token;
  } catch {
    // An unreadable or stale file is simply replaced.
  }
  return undefined;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} is already in use: stop the other process or start with PORT=<another port>`,
            )
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function scheduledEvent(): ScheduledEvent {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: ['arn:aws:events:local:000000000000:rule/sweep'],
    detail: {},
  };
}

/** `GET|POST /_local/faults` — `{"dynamodb": "down"|"up", "sns": "down"|"up"}`. */
function faultRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  faults: { readonly dynamodb: FaultProxy; readonly sns: FaultProxy },
): boolean {
  if (path !== '/_local/faults') return false;
  const reply = () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        dynamodb: faults.dynamodb.isDown ? 'down' : 'up',
        sns: faults.sns.isDown ? 'down' : 'up',
      }),
    );
  };
  if (req.method !== 'POST') {
    reply();
    return true;
  }
  let text = '';
  req.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  req.on('end', () => {
    try {
      const wanted = JSON.parse(text || '{}') as Record<string, unknown>;
      for (const name of ['dynamodb', 'sns'] as const) {
        const state = wanted[name];
        if (state === 'down' || state === 'up') faults[name].setDown(state === 'down');
      }
      reply();
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { status: 400, message: 'body must be JSON like {"dynamodb":"down"}' } }),
      );
    }
  });
  return true;
}

/**
 * The whole service on this machine: emulators speaking the AWS wire protocols, the same resources
 * the stack deploys, and the production handlers behind an HTTP server, an SQS poller and a timer.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningStack> {
  const emulators: Emulators = await startEmulators({
    region: LOCAL_REGION,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [() => emulators.stop()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    // The handlers reach DynamoDB and SNS through fault proxies when fault control is on.
    const faults = options.faultControl
      ? { dynamodb: new FaultProxy(emulators.dynamodb), sns: new FaultProxy(emulators.snsSqs) }
      : undefined;
    const handlerEndpoints = { dynamodb: emulators.dynamodb, sns: emulators.snsSqs };
    if (faults) {
      handlerEndpoints.dynamodb = await faults.dynamodb.start();
      handlerEndpoints.sns = await faults.sns.start();
      cleanups.push(
        () => faults.dynamodb.stop(),
        () => faults.sns.stop(),
      );
    }
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: handlerEndpoints.dynamodb,
      AWS_ENDPOINT_URL_SNS: handlerEndpoints.sns,
      AWS_ENDPOINT_URL_SQS: emulators.snsSqs,
    });
    const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: emulators.dynamodb });
    const sns = new SNSClient({ ...clientConfig, endpoint: emulators.snsSqs });
    const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.snsSqs, useQueueUrlAsEndpoint: false });

    await ensureTable(dynamodb, TABLE);
    const queueOptions = {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
      maxReceiveCount: 5,
    };
    const queues = await ensureQueueWithDlq(sqs, QUEUE, queueOptions);
    const urgentQueues = await ensureQueueWithDlq(sqs, URGENT_QUEUE, { ...queueOptions, dlq: queues });
    // The scope lane (config scopeLane.enabled), as deployed: a FIFO queue grouped by scope.
    const scopeLane = options.scopeLane
      ? await ensureQueueWithDlq(sqs, SCOPE_LANE_QUEUE, { ...queueOptions, fifo: true })
      : undefined;
    const policy = parsePolicyConfig(options.policy ?? {});
    const supportTopic = await ensureTopic(sns, 'support-escalations');
    const accountTopic = await ensureTopic(sns, 'account-issues');

    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      EVENTS_QUEUE_URL: queues.queueUrl,
      URGENT_EVENTS_QUEUE_URL: urgentQueues.queueUrl,
      URGENT_STATUSES: policy.incidents.immediateStatuses.join(','),
      // Empty when off: the triage handler then triages the bulk lane itself.
      SCOPE_LANE_QUEUE_URL: scopeLane?.queueUrl ?? '',
      BULK_QUEUE_ARN: scopeLane ? queues.queueArn : '',
      INCIDENT_QUIET_SECONDS: String(policy.incidents.resolveAfterQuietSeconds),
      SUPPORT_TOPIC_ARN: supportTopic,
      ACCOUNT_TOPIC_ARN: accountTopic,
      POLICY_CONFIG: JSON.stringify(options.policy ?? {}),
      RUNBOOKS: JSON.stringify(options.runbooks ?? {}),
      // Run-time silences: re-read every 5 s here (30 s deployed), so a demo does not wait.
      SILENCE_CACHE_SECONDS: process.env.SILENCE_CACHE_SECONDS ?? '5',
      POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? 'fireworks-error-triage',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_NAMESPACE: 'FireworksErrorTriage',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });

    const { TokenStore } = await import('../functions/adapters/token-store');
    const tokens = new TokenStore({ tableName: TABLE });
    const token =
      (await reusableToken(tokens, options.stackFile, 'token', 'ingest')) ??
      (await tokens.create({ app: 'local', label: 'created by npm start', scope: 'ingest' }, new Date()))
        .token;
    const adminToken =
      (await reusableToken(tokens, options.stackFile, 'adminToken', 'admin')) ??
      (
        await tokens.create(
          { app: 'local-admin', label: 'admin token created by npm start', scope: 'admin' },
          new Date(),
        )
      ).token;

    const pagerDuty = options.pagerDuty;
    let pagerDutyQueues: Awaited<ReturnType<typeof ensureQueueWithDlq>> | undefined;
    if (pagerDuty) {
      const { PagerDutyRoutingSchema } = await import('../functions/core/pagerduty-event');
      const parsed = PagerDutyRoutingSchema.safeParse(pagerDuty.routing ?? {});
      if (!parsed.success) {
        throw new Error(
          `config pagerDuty: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')} (docs/config.md)`,
        );
      }
      const routing = parsed.data;
      const secrets = await startLocalSecrets({ [LOCAL_PAGERDUTY_SECRET]: pagerDuty.routingKey });
      cleanups.push(() => secrets.stop());
      pagerDutyQueues = await ensureQueueWithDlq(sqs, PAGERDUTY_QUEUE, queueOptions);
      const topicArns = { support: supportTopic, account: accountTopic };
      for (const topic of routing.topics)
        await subscribeQueue(sns, topicArns[topic], pagerDutyQueues.queueArn);
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        PAGERDUTY_SECRET_ID: LOCAL_PAGERDUTY_SECRET,
        PAGERDUTY_EVENTS_URL: pagerDuty.url,
        PAGERDUTY_ROUTING: JSON.stringify(routing),
        PAGERDUTY_DLQ_URL: pagerDutyQueues.dlqUrl,
      });
    }

    // Filtered chat channels: a topic and a queue each; the queue subscribed to the channel's topics with its
    // filter policy (fauxqs evaluates it, as SNS does); the relay's environment names both (lib/chat-relay.ts).
    const chatChannels: { name: string; topicArn: string; queues: QueuePair }[] = [];
    for (const [i, channel] of (options.filteredChannels ?? []).entries()) {
      const topicArn = await ensureTopic(sns, `chat-${channel.name}`);
      const channelQueues = await ensureQueueWithDlq(
        sqs,
        `${CHAT_QUEUE_PREFIX}${channel.name}`,
        queueOptions,
      );
      const sources = { support: supportTopic, account: accountTopic };
      for (const topic of channel.topics)
        await subscribeQueue(sns, sources[topic], channelQueues.queueArn, channel.filterPolicy);
      const variables = routeVariables(i);
      Object.assign(process.env, {
        [variables.name]: channel.name,
        [variables.queueArn]: channelQueues.queueArn,
        [variables.topicArn]: topicArn,
      });
      chatChannels.push({ name: channel.name, topicArn, queues: channelQueues });
    }

    const handlers = await loadHandlers();
    const onError = (error: unknown) =>
      options.log(`local stack: ${(error as Error).stack ?? String(error)}`);

    // A queue subscribed to both topics: every notification published is printed.
    const printerQueue = await sqs.send(
      new CreateQueueCommand({ QueueName: `local-notifications-${Date.now()}` }),
    );
    const printerUrl = printerQueue.QueueUrl as string;
    const printerArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: printerUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    await subscribeQueue(sns, supportTopic, printerArn);
    await subscribeQueue(sns, accountTopic, printerArn);
    const printer = new NotificationReader(
      sqs,
      printerUrl,
      (notification) => {
        options.log(`notification ${formatNotification(notification)}`);
        options.onNotification?.(notification);
      },
      onError,
    );
    printer.start();
    cleanups.push(() => printer.stop());

    const triage: SqsHandler = (event, context) => oneAtATime(handlers.triage, event, context);
    const lanes = [
      { queue: urgentQueues, batchSize: 10, batchingWindowMs: 0 },
      {
        queue: queues,
        batchSize: BULK_BATCH_SIZE,
        batchingWindowMs: (options.bulkWindowSeconds ?? 1) * 1000,
      },
      // A FIFO event source takes at most 10 messages and has no batching window.
      ...(scopeLane ? [{ queue: scopeLane, batchSize: 10, batchingWindowMs: 0 }] : []),
    ];
    for (const { queue, batchSize, batchingWindowMs } of lanes) {
      const poller = new SqsPoller({
        client: sqs,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        region: LOCAL_REGION,
        handler: triage,
        functionName: 'triage',
        batchSize,
        batchingWindowMs,
        onError,
      });
      poller.start();
      cleanups.push(() => poller.stop());
    }

    if (pagerDutyQueues) {
      const { handler } = await import('../functions/pagerduty/handler');
      const forward = handler as unknown as SqsHandler;
      const poller = new SqsPoller({
        client: sqs,
        queueUrl: pagerDutyQueues.queueUrl,
        queueArn: pagerDutyQueues.queueArn,
        region: LOCAL_REGION,
        // The queue gets what AWS would deliver: the `default` message, not fauxqs's whole structure.
        handler: (event, context) =>
          oneAtATime(
            forward,
            { Records: event.Records.map((r) => ({ ...r, body: asDeliveredToQueue(r.body) })) },
            context,
          ),
        functionName: 'pagerduty',
        batchSize: 10,
        onError,
      });
      poller.start();
      cleanups.push(() => poller.stop());
    }

    if (chatChannels.length > 0) {
      const { handler } = await import('../functions/chat-relay/handler');
      const relay = handler as unknown as SqsHandler;
      for (const { queues: channelQueues } of chatChannels) {
        const poller = new SqsPoller({
          client: sqs,
          queueUrl: channelQueues.queueUrl,
          queueArn: channelQueues.queueArn,
          region: LOCAL_REGION,
          // As for the forwarder: the queue gets what AWS would deliver, the `default` message.
          handler: (event, context) =>
            oneAtATime(
              relay,
              { Records: event.Records.map((r) => ({ ...r, body: asDeliveredToQueue(r.body) })) },
              context,
            ),
          functionName: 'chatrelay',
          batchSize: 10,
          onError,
        });
        poller.start();
        cleanups.push(() => poller.stop());
      }
    }

    let sweeping: Promise<unknown> = Promise.resolve();
    const sweep = async () => {
      sweeping = sweeping
        .then(() => oneAtATime(handlers.sweep, scheduledEvent(), lambdaContext('sweep')))
        .catch(onError);
      await sweeping;
    };
    const timer = setInterval(() => void sweep(), options.sweepIntervalMs);
    cleanups.push(async () => {
      clearInterval(timer);
      await sweeping;
    });

    const server = createApiServer(
      [
        { path: '/v1/events', name: 'ingest', handler: (e, c) => oneAtATime(handlers.ingest, e, c) },
        { path: '/v1/codes', name: 'codes', handler: (e, c) => oneAtATime(handlers.codes, e, c) },
        ...[
          { path: '/v1/incidents', subPaths: ['/{subjectId}/ack'] },
          { path: '/v1/silences', subPaths: ['/{id}'] },
        ].map(({ path, subPaths }) => ({
          path,
          subPaths,
          name: 'oncall',
          handler: (e: Parameters<HttpHandler>[0], c: Parameters<HttpHandler>[1]) =>
            oneAtATime(handlers.oncall, e, c),
        })),
      ],
      onError,
      faults ? (req, res, path) => faultRoute(req, res, path, faults) : undefined,
    );
    const port = await listen(server, options.port);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    const base = `http://127.0.0.1:${port}`;
    const info: StackFile = {
      region: LOCAL_REGION,
      webhookUrl: `${base}/v1/events`,
      codesUrl: `${base}/v1/codes`,
      incidentsUrl: `${base}/v1/incidents`,
      silencesUrl: `${base}/v1/silences`,
      token,
      adminToken,
      tableName: TABLE,
      queueUrl: queues.queueUrl,
      urgentQueueUrl: urgentQueues.queueUrl,
      dlqUrl: queues.dlqUrl,
      endpoints: { sns: emulators.snsSqs, sqs: emulators.snsSqs, dynamodb: emulators.dynamodb },
      topics: { supportEscalations: supportTopic, accountIssues: accountTopic },
      ...(pagerDuty ? { pagerDutyUrl: pagerDuty.url } : {}),
      ...(chatChannels.length > 0
        ? { chatTopics: Object.fromEntries(chatChannels.map((c) => [c.name, c.topicArn])) }
        : {}),
    };
    if (options.stackFile) {
      mkdirSync(dirname(options.stackFile), { recursive: true });
      writeFileSync(options.stackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    }
    return { info, sweep, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
