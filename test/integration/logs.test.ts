import { gzipSync } from 'node:zlib';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { parseQueueMessage, type QueueMessageBody } from '../../functions/core/queue-message';
import { lambdaContext } from '../fixtures/apigw';
import { dataPayload, FIREWORKS_503, OPENAI_429, subscriptionEvent } from '../fixtures/logs/payload';
import { invokedAs } from '../helpers/aws-calls/invoked-as';

type Handler = (event: CloudWatchLogsEvent, context: Context) => Promise<unknown>;

describe('logs function (fauxqs)', () => {
  const client = new SQSClient({ useQueueUrlAsEndpoint: false });
  const savedEnv = { ...process.env };
  let queueUrl: string;
  let handler: Handler;

  beforeEach(async () => {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: `logs-${process.pid}-${Math.random().toString(36).slice(2)}` }),
    );
    queueUrl = created.QueueUrl ?? '';
    process.env.EVENTS_QUEUE_URL = queueUrl;
    jest.isolateModules(() => {
      handler = invokedAs('logs', require('../../functions/logs/handler').handler);
    });
  });

  afterEach(async () => {
    process.env = { ...savedEnv };
    await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  async function receiveAll(): Promise<QueueMessageBody[]> {
    const bodies: QueueMessageBody[] = [];
    for (let empty = 0; empty < 2; ) {
      const out = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) empty++;
      for (const message of messages) bodies.push(parseQueueMessage(message.Body ?? ''));
    }
    return bodies;
  }

  it('queues every error line of a large payload, once per log event', async () => {
    // Thousands of events, long lines: several queue messages' worth of extracted errors.
    const lines = Array.from({ length: 6000 }, (_, i) =>
      i % 4 === 0
        ? `${i % 8 === 0 ? FIREWORKS_503 : OPENAI_429} trace=${i} ${'·'.repeat(300)}`
        : `INFO request ${i} completed in ${i % 900}ms ${'-'.repeat(200)}`,
    );
    const payload = dataPayload(lines);

    await handler(subscriptionEvent(payload), lambdaContext());

    const bodies = await receiveAll();
    const events = bodies.flatMap((body) => body.events);
    expect(bodies.length).toBeGreaterThan(1);
    expect(events).toHaveLength(1500);
    expect(new Set(events.map((event) => event.id))).toEqual(
      new Set(payload.logEvents.filter((_, i) => i % 4 === 0).map((logEvent) => logEvent.id)),
    );
    expect(events.every((event) => event.source === 'logs' && event.app === 'checkout')).toBe(true);
    expect(events.filter((event) => event.status === 503)).toHaveLength(750);
  });

  it('gives a redelivered payload the same batch ids, so the triage side can drop the copy', async () => {
    const payload = dataPayload([FIREWORKS_503, 'INFO ok', OPENAI_429]);

    await handler(subscriptionEvent(payload), lambdaContext());
    await handler(subscriptionEvent(payload), lambdaContext());

    const bodies = await receiveAll();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]?.batchId).toBe(bodies[1]?.batchId);
    expect(bodies[0]?.events).toEqual(bodies[1]?.events);
  });

  it('sends a 500 to the urgent lane and the rest to the bulk lane, as the stack configures it', async () => {
    const urgent = await client.send(new CreateQueueCommand({ QueueName: `logs-urgent-${process.pid}` }));
    process.env.URGENT_EVENTS_QUEUE_URL = urgent.QueueUrl;
    process.env.URGENT_STATUSES = '500';
    jest.isolateModules(() => {
      handler = invokedAs('logs', require('../../functions/logs/handler').handler);
    });
    const fireworks500 = FIREWORKS_503.replace('503 Service Unavailable', '500 Internal Server Error');

    await handler(subscriptionEvent(dataPayload([fireworks500, FIREWORKS_503])), lambdaContext());

    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: urgent.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    await client.send(new DeleteQueueCommand({ QueueUrl: urgent.QueueUrl }));
    const urgentEvents = (out.Messages ?? []).flatMap((m) => parseQueueMessage(m.Body ?? '').events);
    expect(urgentEvents.map((event) => event.status)).toEqual([500]);
    expect((await receiveAll()).flatMap((body) => body.events).map((event) => event.status)).toEqual([503]);
  });

  it('queues nothing for a malformed payload and still succeeds', async () => {
    const garbage = { awslogs: { data: gzipSync('not json').toString('base64') } };

    await expect(handler(garbage, lambdaContext())).resolves.toMatchObject({ outcome: 'rejected' });

    expect(await receiveAll()).toEqual([]);
  });
});
