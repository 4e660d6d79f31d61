import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EventQueue, QueueSendError } from '../../../functions/adapters/event-queue';
import type { TriageEvent } from '../../../functions/core/event';
import { parseQueueMessage } from '../../../functions/core/queue-message';

const sqs = mockClient(SQSClient);
const queueUrl = 'http://127.0.0.1:1/000000000000/events';
const noSleep = () => Promise.resolve();

function events(n: number, messageChars = 10): TriageEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    status: 503,
    message: 'x'.repeat(messageChars),
  }));
}

function newQueue() {
  return new EventQueue({ queueUrl, client: new SQSClient({ region: 'us-east-1' }), sleep: noSleep });
}

afterEach(() => sqs.reset());

describe('EventQueue.send', () => {
  it('sends a small batch as one message with the batch id, receive time and every event', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await newQueue().send(events(3), { batchPrefix: 'b1', receivedAt: 1_700_000_000_000 });
    expect(result).toEqual({ messages: 1, batchIds: ['b1-0'], lanes: { urgent: [], bulk: ['b1-0'] } });
    const input = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(queueUrl);
    const body = parseQueueMessage(input?.Entries?.[0]?.MessageBody ?? '');
    expect(body).toMatchObject({ batchId: 'b1-0', receivedAt: 1_700_000_000_000 });
    expect(body.events.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
  });

  it('keeps every call within 10 entries and 256 KiB', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    // ~1 MiB of events: several full messages, each near the message limit.
    const result = await newQueue().send(events(250, 4000), { batchPrefix: 'big', receivedAt: 1 });
    expect(result.messages).toBeGreaterThan(3);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    let sent = 0;
    for (const call of calls) {
      const entries = call.args[0].input.Entries ?? [];
      expect(entries.length).toBeLessThanOrEqual(10);
      const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
      for (const entry of entries) sent += parseQueueMessage(entry.MessageBody ?? '').events.length;
    }
    expect(sent).toBe(250);
  });

  it('retries only the entries that failed, then succeeds', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: 'm0', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Failed: [] });
    const queue = newQueue();
    await queue.send(events(2), { batchPrefix: 'r', receivedAt: 1 });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['m0']);
  });

  it('throws QueueSendError when entries keep failing', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: 'm0', SenderFault: false, Code: 'InternalError' }] });
    await expect(newQueue().send(events(1), { batchPrefix: 'f', receivedAt: 1 })).rejects.toThrow(
      QueueSendError,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('does not retry a sender fault', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: 'm0', SenderFault: true, Code: 'InvalidMessageContents' }] });
    await expect(newQueue().send(events(1), { batchPrefix: 'f', receivedAt: 1 })).rejects.toThrow(
      /InvalidMessageContents/,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('retries a call that threw and reports the failure after the last attempt', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));
    await expect(newQueue().send(events(1), { batchPrefix: 'f', receivedAt: 1 })).rejects.toThrow(
      /socket hang up/,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('sends nothing for no events', async () => {
    await expect(newQueue().send([], { batchPrefix: 'x', receivedAt: 1 })).resolves.toEqual({
      messages: 0,
      batchIds: [],
      lanes: { urgent: [], bulk: [] },
    });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('EventQueue.send with an urgent lane', () => {
  const urgentUrl = 'http://127.0.0.1:1/000000000000/urgent-events';
  const lanes = () =>
    new EventQueue({
      queueUrl,
      urgent: { queueUrl: urgentUrl, statuses: new Set([500, 501]) },
      client: new SQSClient({ region: 'us-east-1' }),
      sleep: noSleep,
    });
  const mixed: TriageEvent[] = [
    { id: 'a', status: 503 },
    { id: 'b', status: 500 },
    { id: 'c', status: 401 },
    { id: 'd', status: 501 },
    { id: 'e', status: 429 },
  ];

  function sentTo(url: string) {
    return sqs
      .commandCalls(SendMessageBatchCommand)
      .filter((call) => call.args[0].input.QueueUrl === url)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => parseQueueMessage(entry.MessageBody ?? ''));
  }

  it('sends the urgent statuses to the urgent queue and everything else to the bulk queue, in order', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const result = await lanes().send(mixed, { batchPrefix: 'p', receivedAt: 7 });
    expect(result).toEqual({
      messages: 2,
      batchIds: ['p-u-0', 'p-0'],
      lanes: { urgent: ['p-u-0'], bulk: ['p-0'] },
    });
    const urgent = sentTo(urgentUrl);
    const bulk = sentTo(queueUrl);
    expect(urgent.map((m) => m.batchId)).toEqual(['p-u-0']);
    expect(urgent.flatMap((m) => m.events.map((e) => e.id))).toEqual(['b', 'd']);
    expect(bulk.map((m) => m.batchId)).toEqual(['p-0']);
    expect(bulk.flatMap((m) => m.events.map((e) => e.id))).toEqual(['a', 'c', 'e']);
    expect([...urgent, ...bulk].every((m) => m.receivedAt === 7)).toBe(true);
  });

  it('sends nothing to a lane without events', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const result = await lanes().send([{ id: 'x', status: 404 }], { batchPrefix: 'q', receivedAt: 1 });
    expect(result).toEqual({ messages: 1, batchIds: ['q-0'], lanes: { urgent: [], bulk: ['q-0'] } });
    expect(sentTo(urgentUrl)).toHaveLength(0);
  });

  it('gives the same batch ids when a producer retries with the same prefix (idempotency)', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const first = await lanes().send(mixed, { batchPrefix: 'same', receivedAt: 1 });
    const again = await lanes().send(mixed, { batchPrefix: 'same', receivedAt: 1 });
    expect(again.batchIds).toEqual(first.batchIds);
  });

  it('sends urgent-status events whose incident is already open to the bulk lane instead', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const asked: string[] = [];
    const queue = new EventQueue({
      queueUrl,
      urgent: {
        queueUrl: urgentUrl,
        statuses: new Set([500, 501]),
        // 'b' (a 500) belongs to an open incident; 'd' (a 501) does not.
        stillUrgent: async (events) => {
          asked.push(...events.map((e) => e.id));
          return events.map((e) => e.id !== 'b');
        },
      },
      client: new SQSClient({ region: 'us-east-1' }),
      sleep: noSleep,
    });
    await queue.send(mixed, { batchPrefix: 'o', receivedAt: 1 });
    expect(asked).toEqual(['b', 'd']);
    expect(sentTo(urgentUrl).flatMap((m) => m.events.map((e) => e.id))).toEqual(['d']);
    // Each event in exactly one lane, the bulk lane in request order.
    expect(sentTo(queueUrl).flatMap((m) => m.events.map((e) => e.id))).toEqual(['a', 'b', 'c', 'e']);
  });

  describe('a stable send (a producer that retries with the same prefix)', () => {
    /** A queue whose `stillUrgent` answers from `open`: the ids of events whose incident is open. */
    const withOpen = (open: ReadonlySet<string>) =>
      new EventQueue({
        queueUrl,
        urgent: {
          queueUrl: urgentUrl,
          statuses: new Set([500, 501]),
          stillUrgent: async (events) => events.map((e) => !open.has(e.id)),
        },
        client: new SQSClient({ region: 'us-east-1' }),
        sleep: noSleep,
      });
    const batches = (url: string) =>
      sentTo(url).map((m) => `${m.batchId}:${m.events.map((e) => e.id).join('')}`);

    it('keeps the urgent-status events in their own batches, in the urgent lane while any of them pages', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
      // 'b' is open, 'd' is not: both ride the urgent lane, in the batch they always have.
      const result = await withOpen(new Set(['b'])).send(mixed, {
        batchPrefix: 's',
        receivedAt: 1,
        stable: true,
      });
      expect(batches(urgentUrl)).toEqual(['s-u-0:bd']);
      expect(batches(queueUrl)).toEqual(['s-0:ace']);
      expect(result.lanes).toEqual({ urgent: ['s-u-0'], bulk: ['s-0'] });
    });

    it('sends that same batch to the bulk lane once none of them pages, in one call with the rest', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
      const result = await withOpen(new Set(['b', 'd'])).send(mixed, {
        batchPrefix: 's',
        receivedAt: 1,
        stable: true,
      });
      expect(sentTo(urgentUrl)).toEqual([]);
      expect(batches(queueUrl)).toEqual(['s-u-0:bd', 's-0:ace']);
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
      expect(result).toEqual({
        messages: 2,
        batchIds: ['s-u-0', 's-0'],
        lanes: { urgent: [], bulk: ['s-u-0', 's-0'] },
      });
    });

    it('makes the same batches whatever the incidents, so a resend that changes lanes is counted once', async () => {
      sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
      const sends: string[][] = [];
      for (const open of [[], ['b'], ['b', 'd']]) {
        sqs.resetHistory();
        await withOpen(new Set(open)).send(mixed, { batchPrefix: 's', receivedAt: 1, stable: true });
        sends.push([...batches(urgentUrl), ...batches(queueUrl)].sort());
      }
      expect(sends[1]).toEqual(sends[0]);
      expect(sends[2]).toEqual(sends[0]);
      // Without `stable`, the bulk batch's events depend on the incidents (the gap a stable send closes).
      const unstable: string[][] = [];
      for (const open of [[], ['b', 'd']]) {
        sqs.resetHistory();
        await withOpen(new Set(open)).send(mixed, { batchPrefix: 's', receivedAt: 1 });
        unstable.push([...batches(urgentUrl), ...batches(queueUrl)].sort());
      }
      expect(unstable[1]).not.toEqual(unstable[0]);
    });
  });

  it('fails the whole send when the urgent lane cannot be reached, so the request is not accepted', async () => {
    sqs
      .on(SendMessageBatchCommand, { QueueUrl: urgentUrl })
      .rejects(new Error('connect ECONNREFUSED'))
      .on(SendMessageBatchCommand, { QueueUrl: queueUrl })
      .resolves({ Failed: [] });
    await expect(lanes().send(mixed, { batchPrefix: 'f', receivedAt: 1 })).rejects.toThrow(QueueSendError);
  });
});
