import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EventQueue } from '../../functions/adapters/event-queue';
import type { TriageEvent } from '../../functions/core/event';
import { parseQueueMessage } from '../../functions/core/queue-message';

describe('EventQueue (fauxqs)', () => {
  const client = new SQSClient({ useQueueUrlAsEndpoint: false });
  let queueUrl: string;

  beforeEach(async () => {
    const created = await client.send(
      new CreateQueueCommand({ QueueName: `events-${process.pid}-${Math.random().toString(36).slice(2)}` }),
    );
    queueUrl = created.QueueUrl ?? '';
  });

  afterEach(async () => {
    await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  async function receiveAll(): Promise<string[]> {
    const bodies: string[] = [];
    for (let empty = 0; empty < 2; ) {
      const out = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) empty++;
      for (const message of messages) bodies.push(message.Body ?? '');
    }
    return bodies;
  }

  it('packs 500 events into a few messages that arrive intact', async () => {
    const events: TriageEvent[] = Array.from({ length: 500 }, (_, i) => ({
      id: `evt-${i}`,
      status: i % 2 === 0 ? 503 : 401,
      message: `upstream said no (${i}) ${'·'.repeat(400)}`,
      model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
      account: 'acme',
      occurredAt: '2026-11-25T15:00:00.000Z',
      source: 'webhook',
    }));
    const queue = new EventQueue({ queueUrl, client });

    const result = await queue.send(events, { batchPrefix: 'batch-a', receivedAt: 1_764_082_800_000 });

    expect(result.messages).toBeGreaterThan(1);
    expect(result.messages).toBeLessThanOrEqual(5);
    const received = (await receiveAll()).map(parseQueueMessage);
    expect(received.map((m) => m.batchId).sort()).toEqual([...result.batchIds].sort());
    const delivered = received
      .sort((a, b) => a.batchId.localeCompare(b.batchId, 'en', { numeric: true }))
      .flatMap((m) => m.events);
    expect(delivered).toEqual(events);
  });
});
