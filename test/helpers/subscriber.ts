import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { parseSnsEnvelope, type ReceivedNotification } from '../../local/notification-printer';
import type { StackFile } from '../../local/stack';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A queue subscribed to a topic of a running stack, as a support or billing subscriber would have. */
export class Subscriber {
  readonly received: ReceivedNotification[] = [];

  private constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  static create(
    info: StackFile,
    topic: 'supportEscalations' | 'accountIssues',
    filterPolicy?: Record<string, unknown>,
  ): Promise<Subscriber> {
    return Subscriber.createOn(info, info.topics[topic], filterPolicy);
  }

  /** The same on any topic of the stack by its ARN (a filtered chat channel's own topic). */
  static async createOn(
    info: StackFile,
    topicArn: string,
    filterPolicy?: Record<string, unknown>,
  ): Promise<Subscriber> {
    const sqs = new SQSClient({
      region: info.region,
      endpoint: info.endpoints.sqs,
      credentials: CREDENTIALS,
      useQueueUrlAsEndpoint: false,
    });
    const sns = new SNSClient({
      region: info.region,
      endpoint: info.endpoints.sns,
      credentials: CREDENTIALS,
    });
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: `subscriber-${randomUUID()}` }));
    const queueUrl = queue.QueueUrl as string;
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: attributes.Attributes?.QueueArn,
        ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
      }),
    );
    return new Subscriber(sqs, queueUrl);
  }

  /** Drain what has arrived so far (short poll) into `received`. */
  async poll(waitSeconds = 0): Promise<ReceivedNotification[]> {
    const result = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
    );
    const messages = result.Messages ?? [];
    const fresh = messages.map((m) => parseSnsEnvelope(m.Body ?? '')).filter((n) => n !== undefined);
    this.received.push(...fresh);
    if (messages.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    return fresh;
  }

  /** Poll until `predicate` holds for what was received, or the time is up; returns what matched. */
  async waitFor(
    predicate: (n: ReceivedNotification) => boolean,
    options: { timeoutMs: number; count?: number } = { timeoutMs: 10_000 },
  ): Promise<ReceivedNotification[]> {
    const deadline = Date.now() + options.timeoutMs;
    const wanted = options.count ?? 1;
    for (;;) {
      const matched = this.received.filter(predicate);
      if (matched.length >= wanted || Date.now() > deadline) return matched;
      await this.poll(1);
    }
  }

  /** Collect everything for `ms` milliseconds (to prove that something did NOT arrive). */
  async collectFor(ms: number): Promise<ReceivedNotification[]> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) await this.poll(1);
    return this.received;
  }
}

/** POST to the webhook of a running stack. */
export async function post(
  info: StackFile,
  body: unknown,
  options: { token?: string | null; method?: string; contentType?: string; raw?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const token = options.token === undefined ? info.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const method = options.method ?? 'POST';
  const response = await fetch(info.webhookUrl, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: options.raw ?? JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}
