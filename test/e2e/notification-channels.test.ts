jest.setTimeout(60_000);

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post, Subscriber } from '../helpers/subscriber';

interface ChatMessage {
  version: string;
  source: string;
  content: { title: string; description: string; nextSteps: string[]; keywords: string[] };
  metadata: { threadId: string; eventType: string; summary: string };
}

/** A local fake of PagerDuty's Events API v2: records every event and answers 202, as PagerDuty does. */
async function fakeEventsApi(): Promise<{ url: string; events: Record<string, unknown>[]; server: Server }> {
  const events: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      events.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"success","message":"Event processed"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`, events, server };
}

async function until<T>(find: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Chat and PagerDuty end to end through `npm start -- --pagerduty-url`: a 500 reaches chat subscribers in
 * the Chatbot format and PagerDuty as a trigger; its resolve closes both, on the same thread and dedup_key.
 */
describe('Slack/Teams and PagerDuty end to end (local stack)', () => {
  let stack: StackProcess;
  let support: Subscriber;
  let resolutions: Subscriber;
  let pagerDuty: Awaited<ReturnType<typeof fakeEventsApi>>;

  beforeAll(async () => {
    pagerDuty = await fakeEventsApi();
    stack = await startStackProcess({
      config: {
        policy: {
          incidents: { persistence: { windowSeconds: 2, minSpanSeconds: 0 }, resolveAfterQuietSeconds: 2 },
        },
        runbooks: { byStatus: { '500': 'https://runbooks.example.com/fireworks-500' } },
        pagerDuty: { secretName: 'ignored/locally' },
        chat: {
          slack: [
            // Unfiltered: Chatbot subscribes to the support topic itself (the `support` subscriber below).
            { name: 'oncall', slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
            // Filtered: its own topic, fed by the chat relay with what passes the policy.
            {
              name: 'resolutions',
              slackWorkspaceId: 'T0123ABCD',
              slackChannelId: 'C0123RSLV',
              filterPolicy: { kind: ['incident.resolved'] },
            },
          ],
        },
      },
      pagerDutyUrl: pagerDuty.url,
    });
    support = await Subscriber.create(stack.info, 'supportEscalations');
    resolutions = await Subscriber.createOn(
      stack.info,
      stack.info.chatTopics?.resolutions ?? 'no chat topic',
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => pagerDuty?.server.close(() => resolve()));
  });

  it('turns a 500 into a Chatbot message and a PagerDuty trigger, and its resolve into a resolve on the same keys', async () => {
    const model = `accounts/e2e/models/${randomUUID()}`;
    expect((await post(stack.info, { status: 500, model })).status).toBe(202);

    const [opened] = await support.waitFor((n) => n.body.model === model, { timeoutMs: 10_000 });
    const subjectId = opened?.body.subjectId as string;
    const openedChat = JSON.parse(opened?.protocols?.https ?? '{}') as ChatMessage;
    expect(openedChat).toMatchObject({
      version: '1.0',
      source: 'custom',
      metadata: { threadId: subjectId, eventType: 'incident.opened' },
    });
    expect(openedChat.content.title).toContain('500 Internal Server Error');
    expect(openedChat.content.nextSteps).toContain('Runbook: https://runbooks.example.com/fireworks-500');
    expect(opened?.protocols?.email).toContain('Runbook:        https://runbooks.example.com/fireworks-500');

    const trigger = await until(() => pagerDuty.events.find((e) => e.dedup_key === subjectId), 10_000);
    expect(trigger).toMatchObject({
      routing_key: 'local-dummy-routing-key',
      event_action: 'trigger',
      dedup_key: subjectId,
      payload: { severity: 'critical', component: model, class: '500 Internal Server Error' },
      links: expect.arrayContaining([
        { href: 'https://runbooks.example.com/fireworks-500', text: 'Runbook' },
      ]),
    });

    // Quiet for resolveAfterQuietSeconds: the sweep (every second here) resolves it.
    const [resolved] = await support.waitFor(
      (n) => n.body.subjectId === subjectId && n.body.kind === 'incident.resolved',
      { timeoutMs: 20_000 },
    );
    const resolvedChat = JSON.parse(resolved?.protocols?.https ?? '{}') as ChatMessage;
    expect(resolvedChat.metadata).toMatchObject({ threadId: subjectId, eventType: 'incident.resolved' });
    const resolve = await until(
      () => pagerDuty.events.find((e) => e.dedup_key === subjectId && e.event_action === 'resolve'),
      10_000,
    );
    expect(resolve).toEqual({
      routing_key: 'local-dummy-routing-key',
      event_action: 'resolve',
      dedup_key: subjectId,
      client: 'fireworks-error-triage',
    });
    expect(pagerDuty.events.filter((e) => e.dedup_key === subjectId).map((e) => e.event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
    expect(stack.output()).toContain(`pagerduty: ${pagerDuty.url}`);

    // The filtered channel's topic got the resolve, in the same chat format on the same thread, and not the open.
    const [relayed] = await resolutions.waitFor((n) => n.body.subjectId === subjectId, { timeoutMs: 10_000 });
    expect(relayed?.topicArn).toBe(stack.info.chatTopics?.resolutions);
    expect(JSON.parse(relayed?.protocols?.https ?? '{}')).toEqual(resolvedChat);
    expect(relayed?.body).toEqual(resolved?.body);
    await resolutions.poll(1);
    expect(
      resolutions.received.filter((n) => n.body.subjectId === subjectId).map((n) => n.body.kind),
    ).toEqual(['incident.resolved']);
  });
});
