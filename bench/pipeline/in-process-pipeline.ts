import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, ScheduledEvent, SQSRecord } from 'aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/shared/service';
import { type Emulators, startEmulators } from '../../local/emulators';
import { lambdaContext } from '../../local/lambda-context';
import { ensureQueueWithDlq, ensureTable, ensureTopic } from '../../local/resources';
import { RequestCounter } from '../lib/request-counter';

export const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** Environment of the in-process handlers: quiet logs, no metrics flushing (EMF lines cost only stdout here). */
export function setHandlerEnvironment(): void {
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}

export interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
}

export interface Infrastructure {
  readonly emulators: Emulators;
  readonly counter: RequestCounter;
  /** Counted clients: every request the handlers make through them is counted. */
  readonly clients: Clients;
  readonly tableName: string;
  /** The bulk lane (every event whose status is not urgent). */
  readonly queueUrl: string;
  /** The urgent lane (the policy's immediate statuses). */
  readonly urgentQueueUrl: string;
  readonly topics: { readonly support: string; readonly account: string };
  stop(): Promise<void>;
}

let tables = 0;

/** Emulators plus the stack's resources (state table, two events lanes + DLQ, two topics), with counted clients. */
export async function startInfrastructure(): Promise<Infrastructure> {
  setHandlerEnvironment();
  const emulators = await startEmulators({ region: REGION });
  const base = { region: REGION, credentials: CREDENTIALS };
  const clients: Clients = {
    dynamodb: new DynamoDBClient({ ...base, endpoint: emulators.dynamodb }),
    sqs: new SQSClient({ ...base, endpoint: emulators.snsSqs, useQueueUrlAsEndpoint: false }),
    sns: new SNSClient({ ...base, endpoint: emulators.snsSqs }),
  };
  const tableName = `bench-state-${++tables}`;
  await ensureTable(clients.dynamodb, tableName);
  const queueOptions = { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 };
  const queue = await ensureQueueWithDlq(clients.sqs, `bench-events-${tables}`, queueOptions);
  const urgent = await ensureQueueWithDlq(clients.sqs, `bench-urgent-events-${tables}`, {
    ...queueOptions,
    dlq: queue,
  });
  const topics = {
    support: await ensureTopic(clients.sns, `support-escalations-${tables}`),
    account: await ensureTopic(clients.sns, `account-issues-${tables}`),
  };
  // Attached after set-up, so only the measured workload is counted.
  const counter = new RequestCounter();
  counter.attachDynamo(clients.dynamodb);
  counter.attachSqs(clients.sqs);
  counter.attachSns(clients.sns);
  return {
    emulators,
    counter,
    clients,
    tableName,
    queueUrl: queue.queueUrl,
    urgentQueueUrl: urgent.queueUrl,
    topics,
    stop: () => emulators.stop(),
  };
}

/** Wall time of every invocation per function: Lambda bills it (1 ms granularity) at the configured memory. */
export class InvocationLog {
  readonly durations = new Map<string, number[]>();

  async time<T>(name: string, invoke: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await invoke();
    } finally {
      const list = this.durations.get(name) ?? [];
      list.push(performance.now() - started);
      this.durations.set(name, list);
    }
  }

  count(name: string): number {
    return this.durations.get(name)?.length ?? 0;
  }
}

/** `POST /v1/events` as API Gateway hands it to the ingest function (payload v2). */
export function postEvent(body: string, token: string, at: number): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/events',
    rawPath: '/v1/events',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: '/v1/events',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: `bench-${at}`,
      routeKey: 'POST /v1/events',
      stage: '$default',
      time: new Date(at).toISOString(),
      timeEpoch: at,
    },
    body,
    isBase64Encoded: false,
  };
}

export function scheduledEvent(at: number): ScheduledEvent {
  return {
    version: '0',
    id: `sweep-${at}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date(at).toISOString(),
    region: REGION,
    resources: [],
    detail: {},
  };
}

export type SqsInvoke = (
  records: SQSRecord[],
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/**
 * Lambda's SQS event source, in process: collect up to `batchSize` messages (SQS returns at most 10 per
 * receive, so several receives make one batch, as the event source mapping does), invoke, delete the ones
 * that did not fail; until the queue is empty. Returns the empty receives (a fixed cost of the poller, not of
 * events).
 */
export async function drainQueue(
  infra: Infrastructure,
  invoke: SqsInvoke,
  options: { readonly batchSize?: number; readonly functionName?: string; readonly queueUrl?: string } = {},
): Promise<{ invocations: number; emptyReceives: number }> {
  const queueUrl = options.queueUrl ?? infra.queueUrl;
  const batchSize = options.batchSize ?? 10;
  let invocations = 0;
  for (;;) {
    const messages: Message[] = [];
    let emptyReceives = 0;
    while (messages.length < batchSize) {
      const received = await infra.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const got = received.Messages ?? [];
      if (got.length === 0) {
        emptyReceives = 1;
        break;
      }
      messages.push(...got);
    }
    if (messages.length === 0) return { invocations, emptyReceives };
    const records: SQSRecord[] = messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench-events',
      awsRegion: REGION,
    }));
    const response = await invoke(records, lambdaContext(options.functionName ?? 'triage'));
    invocations++;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = records.filter((r) => !failed.has(r.messageId));
    for (let i = 0; i < done.length; i += 10) {
      await infra.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.slice(i, i + 10).map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
    if (failed.size > 0) throw new Error(`triage reported ${failed.size} failed records`);
    if (emptyReceives > 0) return { invocations, emptyReceives };
  }
}
