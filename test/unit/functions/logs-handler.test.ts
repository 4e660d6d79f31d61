import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { EventQueue } from '../../../functions/adapters/event-queue';
import type { TriageEvent } from '../../../functions/core/event';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { createLogsHandler, type LogCounting, type LogsOutcome } from '../../../functions/logs/logs';
import { lambdaContext } from '../../fixtures/apigw';
import {
  controlPayload,
  dataPayload,
  FIREWORKS_503,
  OPENAI_429,
  START_TIME,
  subscriptionEvent,
  WEBSITE_404,
} from '../../fixtures/logs/payload';

const RECEIVED_AT = START_TIME + 60_000;

const batchIdsOf = (outcome: LogsOutcome) => (outcome.outcome === 'processed' ? outcome.batchIds : []);

function setup(options: { counting?: LogCounting; send?: jest.Mock } = {}) {
  const logger = new Logger({ logLevel: 'SILENT' });
  const errors = jest.spyOn(logger, 'error');
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  const added = jest.spyOn(Metrics.prototype, 'addMetric');
  const dimensions = jest.spyOn(Metrics.prototype, 'addDimension');
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const send =
    options.send ??
    jest.fn(async (events: readonly TriageEvent[], o: { batchPrefix: string }) => ({
      messages: 1,
      batchIds: [`${o.batchPrefix}-0`],
      lanes: { urgent: [], bulk: [`${o.batchPrefix}-0`] },
      events,
    }));
  const handler = createLogsHandler({
    queue: { send },
    counting: options.counting ?? { count: 'all', byLogGroup: {} },
    clock: () => RECEIVED_AT,
    logger,
    metrics,
    plugin: { timeoutEarlyInMillis: 0 },
  });
  const invoke = (event: CloudWatchLogsEvent) => handler(event, lambdaContext());
  const metric = (name: string) => added.mock.calls.filter(([n]) => n === name).map(([, , value]) => value);
  return { invoke, send, errors, metric, dimensions };
}

describe('logs handler', () => {
  it('queues the error lines of a payload as canonical events with their log event ids and times', async () => {
    const { invoke, send, metric } = setup();
    const payload = dataPayload(['INFO request ok in 429ms', FIREWORKS_503, OPENAI_429]);

    const outcome = await invoke(subscriptionEvent(payload));

    expect(send).toHaveBeenCalledTimes(1);
    const [events, options] = send.mock.calls[0] as [
      TriageEvent[],
      { batchPrefix: string; receivedAt: number; stable?: boolean },
    ];
    expect(events).toEqual([
      {
        id: payload.logEvents[1]?.id,
        status: 503,
        provider: 'fireworks',
        message: FIREWORKS_503,
        endpoint: '/inference/v1/chat/completions',
        app: 'checkout',
        occurredAt: new Date(START_TIME + 1000).toISOString(),
        source: 'logs',
      },
      expect.objectContaining({
        id: payload.logEvents[2]?.id,
        status: 429,
        provider: 'fireworks',
        model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
        errorType: 'rate_limit_error',
        occurredAt: new Date(START_TIME + 2000).toISOString(),
        source: 'logs',
      }),
    ]);
    expect(options.receivedAt).toBe(RECEIVED_AT);
    expect(options.batchPrefix).toMatch(/^logs-[0-9a-f]{40}$/);
    // A retried invocation sends the same payload: its batches must not depend on when they are sent.
    expect(options.stable).toBe(true);
    expect(outcome).toMatchObject({ outcome: 'processed', linesScanned: 3, events: 2 });
    expect(metric('LogLinesScanned')).toEqual([3]);
    expect(metric('LogErrorsExtracted')).toEqual([2]);
    expect(metric('EventsAccepted')).toEqual([2]);
  });

  it('gives a redelivered payload the same batch ids, and a different payload different ones', async () => {
    const { invoke } = setup();
    const payload = dataPayload([FIREWORKS_503, OPENAI_429]);

    const first = await invoke(subscriptionEvent(payload));
    const again = await invoke(subscriptionEvent(structuredClone(payload)));
    const other = await invoke(subscriptionEvent(dataPayload([FIREWORKS_503], { logStream: 'other' })));

    expect(batchIdsOf(first)).toEqual([expect.stringMatching(/^logs-[0-9a-f]{40}-0$/)]);
    expect(again).toEqual(first);
    expect(batchIdsOf(other)).not.toEqual(batchIdsOf(first));
  });

  it('leaves out what the log group does not count, and counts what it left out', async () => {
    const { invoke, send, metric } = setup({
      counting: { count: 'all', byLogGroup: { '/aws/lambda/checkout': 'default' } },
    });

    await invoke(subscriptionEvent(dataPayload([WEBSITE_404, FIREWORKS_503])));

    expect(((send.mock.calls[0]?.[0] ?? []) as TriageEvent[]).map((e) => e.status)).toEqual([503]);
    expect(metric('LogErrorsNotCounted')).toEqual([1]);
  });

  it('sends nothing when no line reports an error', async () => {
    const { invoke, send } = setup();
    const outcome = await invoke(subscriptionEvent(dataPayload(['INFO all good', 'took 503ms'])));
    expect(send).not.toHaveBeenCalled();
    expect(outcome).toEqual({ outcome: 'processed', linesScanned: 2, events: 0, batchIds: [] });
  });

  it('ignores a CONTROL_MESSAGE', async () => {
    const { invoke, send, metric } = setup();
    await expect(invoke(subscriptionEvent(controlPayload()))).resolves.toEqual({ outcome: 'control' });
    expect(send).not.toHaveBeenCalled();
    expect(metric('LogLinesScanned')).toEqual([]);
  });

  it.each([
    ['shape', {}],
    ['shape', { awslogs: {} }],
    ['base64', { awslogs: { data: 'not base64!' } }],
    ['gzip', { awslogs: { data: Buffer.from('plain text, not gzip').toString('base64') } }],
    ['json', { awslogs: { data: gzipSync('{"messageType": ').toString('base64') } }],
    ['schema', subscriptionEvent({ messageType: 'DATA_MESSAGE', logGroup: 'g' })],
  ])(
    'drops a payload malformed at the %s stage without throwing: logged and counted',
    async (stage, event) => {
      const { invoke, send, errors, metric, dimensions } = setup();

      const outcome = await invoke(event as CloudWatchLogsEvent);

      expect(outcome).toEqual({ outcome: 'rejected', stage });
      expect(send).not.toHaveBeenCalled();
      expect(errors).toHaveBeenCalledWith(
        'malformed CloudWatch Logs payload dropped',
        expect.objectContaining({ stage }),
      );
      expect(metric('LogPayloadsRejected')).toEqual([1]);
      expect(dimensions).toHaveBeenCalledWith('stage', stage);
    },
  );

  it('fails the invocation when the events cannot be queued, so CloudWatch Logs delivery is retried', async () => {
    const send = jest.fn(async () => {
      throw new Error('queue down');
    });
    const { invoke, errors } = setup({ send });

    await expect(invoke(subscriptionEvent(dataPayload([FIREWORKS_503])))).rejects.toThrow('queue down');
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/could not queue/), expect.anything());
  });

  it('packs the events into queue messages that the triage side parses back', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const queue = new EventQueue({
      queueUrl: 'http://127.0.0.1:1/000000000000/events',
      client: new SQSClient({ region: 'us-east-1' }),
      sleep: async () => undefined,
    });
    const { invoke } = setup({ send: jest.fn((events, options) => queue.send(events, options)) });
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? FIREWORKS_503 : `INFO line ${i}`));

    const outcome = await invoke(subscriptionEvent(dataPayload(lines)));

    const bodies = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => parseQueueMessage(entry.MessageBody ?? ''));
    expect(bodies.flatMap((body) => body.events)).toHaveLength(1000);
    expect(bodies.map((body) => body.batchId)).toEqual(batchIdsOf(outcome));
    expect(bodies.every((body) => body.receivedAt === RECEIVED_AT)).toBe(true);
    sqs.restore();
  });
});
