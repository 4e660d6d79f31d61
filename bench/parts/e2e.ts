import { performance } from 'node:perf_hooks';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseSnsEnvelope } from '../../local/notification-printer';
import { subscribeQueue } from '../../local/resources';
import { LOCAL_CREDENTIALS, startLocalStack } from '../../local/stack';
import { percentile, round } from '../lib/stats';
import { setHandlerEnvironment } from '../pipeline/in-process-pipeline';
import type { BenchPart } from './part';

const WARMUP = 10;

/** What the deployed path adds by design, against the CloudWatch metric filter → alarm path. */
export const AWS_PATH_NOTE =
  'on AWS add: API Gateway (~10–30 ms), the urgent lane SQS event source (long polling plus its 1 s batching window; persistent 5xx and account issues ride the bulk lane with its 60 s window), ' +
  'Lambda cold starts when scaling out, and SNS → subscriber delivery (~50–200 ms): about 1–2 s end to end; ' +
  'a CloudWatch metric filter → alarm needs at least one 60 s period plus evaluation, i.e. 1–3 minutes';

/**
 * `e2eP50Ms` / `e2eP99Ms`: a POST of a 500 (each on its own model, so each opens an incident) until its
 * notification arrives on a queue subscribed to the support topic, through the local stack (HTTP server →
 * ingest → SQS → poller → triage → DynamoDB → SNS → SQS), one at a time.
 */
export const e2ePart: BenchPart = {
  name: 'end to end (local stack)',
  keys: ['e2eP50Ms', 'e2eP99Ms'],
  async run({ quick }) {
    setHandlerEnvironment();
    const events = quick ? 200 : 500;
    const stack = await startLocalStack({
      port: 0,
      policy: {},
      // The timer plays no part in a 500's path; keep it out of the way.
      sweepIntervalMs: 3_600_000,
      log: () => undefined,
    });
    try {
      const { info } = stack;
      const base = { region: info.region, credentials: LOCAL_CREDENTIALS };
      const sqs = new SQSClient({ ...base, endpoint: info.endpoints.sqs, useQueueUrlAsEndpoint: false });
      const sns = new SNSClient({ ...base, endpoint: info.endpoints.sns });
      const queueUrl = (
        await sqs.send(new CreateQueueCommand({ QueueName: `bench-subscriber-${Date.now()}` }))
      ).QueueUrl as string;
      const queueArn = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes?.QueueArn as string;
      await subscribeQueue(sns, info.topics.supportEscalations, queueArn);

      const arrived = new Set<string>();
      const waitFor = async (model: string) => {
        while (!arrived.has(model)) {
          const received = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
          );
          const messages = received.Messages ?? [];
          for (const message of messages) {
            const model = parseSnsEnvelope(message.Body ?? '')?.body.model;
            if (typeof model === 'string') arrived.add(model);
          }
          if (messages.length > 0) {
            await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
              }),
            );
          }
        }
      };
      const latencies: number[] = [];
      for (let i = 0; i < WARMUP + events; i++) {
        const model = `accounts/bench/models/e2e-${Date.now()}-${i}`;
        const started = performance.now();
        const response = await fetch(info.webhookUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 500, model, message: 'Internal Server Error' }),
        });
        if (response.status !== 202)
          throw new Error(`POST answered ${response.status}: ${await response.text()}`);
        await waitFor(model);
        if (i >= WARMUP) latencies.push(performance.now() - started);
      }
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      return {
        figures: [
          {
            key: 'e2eP50Ms',
            value: round(p50),
            unit: 'ms',
            target: '≤ 50',
            pass: p50 <= 50,
            beside: `${events} events one at a time, after ${WARMUP} warm-up; max ${round(Math.max(...latencies))} ms`,
          },
          {
            key: 'e2eP99Ms',
            value: round(p99),
            unit: 'ms',
            target: '≤ 250',
            pass: p99 <= 250,
            beside: AWS_PATH_NOTE,
          },
        ],
        details: {
          events,
          p50,
          p90: percentile(latencies, 90),
          p99,
          max: Math.max(...latencies),
          awsPath: AWS_PATH_NOTE,
        },
      };
    } finally {
      await stack.stop();
    }
  },
};
