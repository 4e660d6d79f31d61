import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createApiServer } from '../../local/http-server';
import { SqsPoller } from '../../local/sqs-poller';

describe('local SQS poller (fauxqs)', () => {
  const client = new SQSClient({ useQueueUrlAsEndpoint: false });
  let queueUrl: string;

  beforeEach(async () => {
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: `poller-${process.pid}-${Math.random().toString(36).slice(2)}`,
        Attributes: { VisibilityTimeout: '1' },
      }),
    );
    queueUrl = created.QueueUrl ?? '';
  });

  afterEach(async () => {
    await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  it('deletes every handled message of a batch larger than 10, so none comes back', async () => {
    for (let call = 0; call < 3; call++) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, n) => ({ Id: `m${n}`, MessageBody: `${call}-${n}` })),
        }),
      );
    }
    const handled: string[] = [];
    const errors: unknown[] = [];
    const poller = new SqsPoller({
      client,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:poller',
      region: 'us-east-1',
      functionName: 'triage',
      batchSize: 30,
      batchingWindowMs: 500,
      handler: async (event: SQSEvent) => {
        handled.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      onError: (error) => errors.push(error),
    });
    while (handled.length < 30) await poller.pollOnce(0);
    expect(errors).toEqual([]);
    expect(new Set(handled).size).toBe(30);
    // Past the visibility timeout, an undeleted message would be back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(again.Messages ?? []).toEqual([]);
  });
});

describe('local HTTP server', () => {
  /** A raw request, so that targets fetch() would normalise (`//`, `/%zz`) reach the server as sent. */
  function raw(port: number, method: string, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers odd paths with a JSON 404 and a throwing handler with a JSON 500, and keeps serving', async () => {
    const errors: unknown[] = [];
    const server = createApiServer(
      [
        {
          path: '/v1/boom',
          name: 'boom',
          handler: async () => {
            throw new Error('handler exploded');
          },
        },
        { path: '/v1/ok', name: 'ok', handler: async () => ({ statusCode: 200, body: '{"ok":true}' }) },
      ],
      (error) => errors.push(error),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const path of ['//', '///x', '/%zz', '/..%2f..', '*']) {
        const answer = await raw(port, 'GET', path);
        expect([400, 404]).toContain(answer.status);
        expect(JSON.parse(answer.body).error.status).toBe(answer.status);
      }
      const boom = await raw(port, 'POST', '/v1/boom');
      expect(boom.status).toBe(500);
      expect(JSON.parse(boom.body).error.type).toBe('internal_error');
      expect(boom.body).not.toContain('exploded');
      expect(errors).toHaveLength(1);
      expect((await raw(port, 'GET', '/v1/ok')).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
