import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  type Subscription,
} from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';

const sns = new SNSClient({});
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { stdin: Readable.from([]), out: (l) => lines.push(l), err: (l) => errors.push(l), lines, errors };
}

async function subscriptions(topicArn: string): Promise<Subscription[]> {
  const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return listed.Subscriptions ?? [];
}

/** Wait until the tail(s) under test have subscribed, so a publish cannot race ahead of them. */
async function waitForSubscriptions(topicArn: string, count: number): Promise<Subscription[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await subscriptions(topicArn);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function queueExists(queueArn: string): Promise<boolean> {
  const name = queueArn.split(':').pop() as string;
  try {
    await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return true;
  } catch {
    return false;
  }
}

/** A notification as the notifier publishes it: JSON for machines, text for e-mail, filterable attributes. */
function publish(topicArn: string, body: Record<string, unknown>, attributes: Record<string, string>) {
  return sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: JSON.stringify(body), email: 'readable text' }),
      Subject: `${String(body.status)} ${String(body.kind)}`,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
}

const accountIssue = (account: string) => ({
  body: {
    notificationId: `n-${account}`,
    kind: 'account-issue.opened',
    severity: 'high',
    status: 402,
    account,
    count: 4,
  },
  attributes: { kind: 'account-issue.opened', severity: 'high', status: '402', account },
});

describe('triage tail', () => {
  let dir: string;
  let stackFile: string;
  let supportTopic: string;
  let accountTopic: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-tail-'));
    const suffix = randomUUID().slice(0, 8);
    supportTopic = (await sns.send(new CreateTopicCommand({ Name: `support-${suffix}` }))).TopicArn as string;
    accountTopic = (await sns.send(new CreateTopicCommand({ Name: `account-${suffix}` }))).TopicArn as string;
    stackFile = join(dir, 'stack.json');
    writeFileSync(
      stackFile,
      JSON.stringify({
        region: process.env.AWS_REGION,
        endpoints: {
          sns: process.env.AWS_ENDPOINT_URL_SNS,
          sqs: process.env.AWS_ENDPOINT_URL_SQS,
          dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB,
        },
        topics: { supportEscalations: supportTopic, accountIssues: accountTopic },
      }),
    );
  });

  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const topic of [supportTopic, accountTopic])
      await sns.send(new DeleteTopicCommand({ TopicArn: topic }));
  });

  it('prints a published notification as JSON and removes its queue and subscription after --max 1', async () => {
    const io = captureIo();
    const tailing = main(
      ['tail', 'support', '--stack', stackFile, '--max', '1', '--timeout', '20', '--json'],
      io,
    );
    const [subscription] = await waitForSubscriptions(supportTopic, 1);
    const queueArn = subscription?.Endpoint as string;
    expect(await queueExists(queueArn)).toBe(true);

    await publish(
      supportTopic,
      { notificationId: 'n-1', kind: 'incident.opened', severity: 'critical', status: 500, count: 1 },
      { kind: 'incident.opened', severity: 'critical', status: '500' },
    );

    expect(await tailing).toBe(0);
    expect(io.lines.map((l) => JSON.parse(l))).toEqual([
      {
        notificationId: 'n-1',
        kind: 'incident.opened',
        severity: 'critical',
        status: 500,
        count: 1,
        subject: '500 incident.opened',
        attributes: { kind: 'incident.opened', severity: 'critical', status: '500' },
      },
    ]);
    expect(await subscriptions(supportTopic)).toEqual([]);
    expect(await queueExists(queueArn)).toBe(false);
  });

  it('receives only what its filter matches', async () => {
    const acmeIo = captureIo();
    const globexIo = captureIo();
    const clientErrorsIo = captureIo();
    const acme = main(
      ['tail', 'account', '--stack', stackFile, '--account', 'acme', '--max', '1', '--timeout', '20'],
      acmeIo,
    );
    const globex = main(
      ['tail', 'account', '--stack', stackFile, '--account', 'globex', '--timeout', '2'],
      globexIo,
    );
    // A status class is a prefix match on the String attribute.
    const clientErrors = main(
      ['tail', 'account', '--stack', stackFile, '--status', '4xx', '--max', '1', '--timeout', '20', '--json'],
      clientErrorsIo,
    );
    const subscribed = await waitForSubscriptions(accountTopic, 3);
    const policies = await Promise.all(
      subscribed.map(async (s) => {
        const got = await sns.send(
          new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }),
        );
        return JSON.parse(got.Attributes?.FilterPolicy ?? 'null') as unknown;
      }),
    );
    expect(policies).toEqual(
      expect.arrayContaining([{ account: ['acme'] }, { account: ['globex'] }, { status: [{ prefix: '4' }] }]),
    );

    const { body, attributes } = accountIssue('acme');
    await publish(accountTopic, body, attributes);

    expect(await acme).toBe(0);
    expect(acmeIo.lines).toHaveLength(1);
    expect(acmeIo.lines[0]).toMatch(
      /\[account-\w+\] account-issue\.opened 402 account-issue\.opened — acme \(count 4, id n-acme\)$/,
    );
    expect(await clientErrors).toBe(0);
    expect(
      clientErrorsIo.lines.map((l) => (JSON.parse(l) as { notificationId: string }).notificationId),
    ).toEqual(['n-acme']);
    expect(await globex).toBe(0);
    expect(globexIo.lines).toEqual([]);
    expect(await subscriptions(accountTopic)).toEqual([]);
  });

  it('exits 1 when --timeout ends before --max notifications arrived, and still cleans up', async () => {
    const io = captureIo();
    expect(await main(['tail', 'support', '--stack', stackFile, '--max', '1', '--timeout', '0.5'], io)).toBe(
      1,
    );
    expect(io.errors.at(-1)).toBe('tail: timed out after 0.5 s with 0 of 1 notification(s)');
    expect(await subscriptions(supportTopic)).toEqual([]);
  });

  it('cleans up and exits 0 when interrupted with SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [resolve(__dirname, '../../bin/triage.mjs'), 'tail', 'support', '--stack', stackFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const [subscription] = await waitForSubscriptions(supportTopic, 1);
    expect(subscription).toBeDefined();

    child.kill('SIGINT');

    expect(await exited).toBe(0);
    expect(stderr).toContain('tail: listening to support-');
    expect(await subscriptions(supportTopic)).toEqual([]);
    expect(await queueExists(subscription?.Endpoint as string)).toBe(false);
  }, 30_000);
});
