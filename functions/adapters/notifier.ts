import {
  type MessageAttributeValue,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
} from '@aws-sdk/client-sns';
import { renderChatNotification } from '../core/chat-notification';
import { renderNotification } from '../core/policy';
import type { NotificationIntent, RenderedNotification, Topic } from '../core/policy/types';
import { type Runbooks, runbookUrl } from '../core/runbooks';

export interface NotifierOptions {
  /** ARNs of the two topics (SUPPORT_TOPIC_ARN / ACCOUNT_TOPIC_ARN). */
  readonly topicArns: Readonly<Record<Topic, string>>;
  /** Built once at module scope by the caller (or a test) and shared; a default client otherwise. */
  readonly snsClient?: SNSClient;
  /** How an intent becomes a message; the policy engine's renderer unless a test needs another. */
  readonly render?: (intent: NotificationIntent, runbookUrl?: string) => RenderedNotification;
  /** Runbook URLs by status and route (config `runbooks`); none when absent. */
  readonly runbooks?: Runbooks;
}

/**
 * Publishes notification intents to the SNS topic they belong to, one message per protocol (SNS
 * MessageStructure json): `default` — the notification JSON, what sqs, lambda, http, email-json and
 * firehose subscribers get; `email` — the text; `sms` — the subject line; `https` — the AWS Chatbot custom notification, since
 * Chatbot (Slack, Teams) subscribes over https and drops anything else. The chat message carries the
 * notification's ids and attributes in `metadata.additionalContext` for other https webhooks.
 */
export class Notifier {
  private readonly topicArns: Readonly<Record<Topic, string>>;
  private readonly snsClient: SNSClient;
  private readonly render: (intent: NotificationIntent, runbookUrl?: string) => RenderedNotification;
  private readonly runbooks: Runbooks;

  constructor(options: NotifierOptions) {
    this.topicArns = options.topicArns;
    this.snsClient = options.snsClient ?? new SNSClient({});
    this.render = options.render ?? renderNotification;
    this.runbooks = options.runbooks ?? {};
  }

  /** Publish one intent; resolves with the SNS message id. Rejects when SNS does (the caller keeps it in the outbox). */
  async publish(intent: NotificationIntent): Promise<string | undefined> {
    const result = await this.snsClient.send(
      new PublishCommand(
        notificationPublish(
          this.topicArns[intent.topic],
          intent,
          runbookUrl(this.runbooks, intent),
          this.render,
        ),
      ),
    );
    return result.MessageId;
  }
}

/**
 * Publishes a notification that was already published once to another topic (a filtered chat channel's
 * topic, functions/chat-relay): the same per-protocol document, subject and attributes, built from the intent
 * and runbook URL its `default` JSON carries.
 */
export class TopicRepublisher {
  private readonly snsClient: SNSClient;

  constructor(snsClient: SNSClient = new SNSClient({})) {
    this.snsClient = snsClient;
  }

  /** Resolves with the SNS message id; rejects when SNS does. */
  async publish(topicArn: string, intent: NotificationIntent, runbook?: string): Promise<string | undefined> {
    const result = await this.snsClient.send(
      new PublishCommand(notificationPublish(topicArn, intent, runbook, renderNotification)),
    );
    return result.MessageId;
  }
}

/** The SNS publish of one notification: one message per protocol (see Notifier), its subject and attributes. */
export function notificationPublish(
  topicArn: string,
  intent: NotificationIntent,
  runbook: string | undefined,
  render: (intent: NotificationIntent, runbookUrl?: string) => RenderedNotification = renderNotification,
): PublishCommandInput {
  const rendered = render(intent, runbook);
  return {
    TopicArn: topicArn,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: rendered.json,
      email: rendered.text,
      // A text message: the subject line (≤ 100 ASCII characters), not a JSON document.
      sms: toSnsSubject(rendered.subject),
      https: JSON.stringify(renderChatNotification(intent, runbook)),
    }),
    Subject: toSnsSubject(rendered.subject),
    MessageAttributes: toMessageAttributes(rendered.attributes),
  };
}

/** SNS rejects subjects that are not printable ASCII, span lines or exceed 100 characters. */
export function toSnsSubject(subject: string): string {
  const ascii = subject
    .normalize('NFKD')
    .replace(/[\u2012-\u2015]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const bounded = ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
  return bounded === '' ? 'Fireworks error triage notification' : bounded;
}

function toMessageAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // SNS rejects empty attribute values; an absent attribute simply does not match a filter.
    if (value !== '') result[name] = { DataType: 'String', StringValue: value };
  }
  return result;
}
