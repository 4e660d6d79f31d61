import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { printable } from '../functions/core/safe-text';
import { PollLoop } from './poll-loop';

/** One notification as a subscriber received it (the SNS envelope unwrapped). */
export interface ReceivedNotification {
  readonly topicArn: string;
  readonly subject?: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The JSON body (the `default` message of MessageStructure json). */
  readonly body: Record<string, unknown>;
  /**
   * The message of every protocol (`default`, `email`, `https`, …) when the emulator delivered the whole
   * MessageStructure json document (fauxqs does; AWS hands a queue only `default`): here a test or the
   * console sees what an e-mail or a Chatbot (https) subscriber would get.
   */
  readonly protocols?: Readonly<Record<string, string>>;
  readonly raw: string;
}

/** The per-protocol document of a MessageStructure json publish, if `message` is one. */
function messageStructure(message: string): Record<string, string> | undefined {
  try {
    const document = JSON.parse(message) as Record<string, unknown>;
    if (typeof document.default !== 'string' || document.kind !== undefined) return undefined;
    return Object.fromEntries(
      Object.entries(document).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return undefined;
  }
}

/**
 * An SNS → SQS envelope as AWS delivers it: fauxqs ignores MessageStructure and puts the whole per-protocol
 * document in `Message`; this puts the `default` message there, as a queue subscriber gets on AWS.
 */
export function asDeliveredToQueue(body: string): string {
  try {
    const envelope = JSON.parse(body) as { Message?: unknown };
    const structure = typeof envelope.Message === 'string' ? messageStructure(envelope.Message) : undefined;
    return structure ? JSON.stringify({ ...envelope, Message: structure.default }) : body;
  } catch {
    return body;
  }
}

/** Unwrap an SNS → SQS envelope (non-raw delivery). Returns undefined for anything else. */
export function parseSnsEnvelope(text: string): ReceivedNotification | undefined {
  try {
    const envelope = JSON.parse(text) as {
      Type?: string;
      TopicArn?: string;
      Subject?: string;
      Message?: string;
      MessageAttributes?: Record<string, { Value?: string }>;
    };
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') return undefined;
    let body: Record<string, unknown>;
    // AWS hands an SQS subscriber the `default` message of a MessageStructure=json publish; fauxqs
    // ignores MessageStructure and delivers the whole structure, so unwrap it here.
    const protocols = messageStructure(envelope.Message);
    try {
      body = JSON.parse(protocols?.default ?? envelope.Message) as Record<string, unknown>;
    } catch {
      body = { text: envelope.Message };
    }
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(envelope.MessageAttributes ?? {})) {
      if (typeof value?.Value === 'string') attributes[name] = value.Value;
    }
    return {
      topicArn: envelope.TopicArn ?? '',
      ...(envelope.Subject ? { subject: envelope.Subject } : {}),
      attributes,
      body,
      ...(protocols ? { protocols } : {}),
      raw: text,
    };
  } catch {
    return undefined;
  }
}

/** Long-polls a queue subscribed to the topics and hands every notification to `onNotification`. */
export class NotificationReader {
  private readonly loop: PollLoop;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly onNotification: (notification: ReceivedNotification) => void,
    onError: (error: unknown) => void = () => undefined,
  ) {
    this.loop = new PollLoop((signal) => this.pollOnce(signal), onError);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const received = await this.client.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
      { abortSignal: signal },
    );
    const messages = received.Messages ?? [];
    for (const message of messages) {
      const notification = parseSnsEnvelope(message.Body ?? '');
      if (notification) this.onNotification(notification);
    }
    if (messages.length > 0) {
      await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }
}

/** One readable line for a notification, for the local stack's console and `triage tail`. */
export function formatNotification(n: ReceivedNotification, at = new Date()): string {
  const topic = n.topicArn.split(':').pop() ?? n.topicArn;
  const body = n.body;
  const scope = [body.model ?? (body.scope as { endpoint?: string } | undefined)?.endpoint, body.account]
    .filter(Boolean)
    .join(' · ');
  // One line whatever the values hold: line breaks and escape sequences are shown, not obeyed.
  return printable(
    `${at.toISOString()} [${topic}] ${n.attributes.kind ?? body.kind ?? '?'} ${n.subject ?? ''}${
      scope ? ` — ${scope}` : ''
    } (count ${body.count ?? '?'}, id ${body.notificationId ?? '?'})`,
  );
}
