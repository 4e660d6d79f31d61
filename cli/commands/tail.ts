import { randomUUID } from 'node:crypto';
import { type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Severity } from '../../functions/core/catalog';
import { isHttpStatus } from '../../functions/core/classify';
import type { NotificationKind } from '../../functions/core/policy/types';
import {
  formatNotification,
  NotificationReader,
  type ReceivedNotification,
} from '../../local/notification-printer';
import { type CliContext, type CliIo, EXIT, UsageError } from '../io';
import { type StackTargetOptions, snsClient, sqsClient, stackTargetFor } from '../stack-target';

const TOPICS = { support: 'supportEscalations', account: 'accountIssues' } as const;
type TopicName = keyof typeof TOPICS;

/** Message attributes the notifier sets (DESIGN §6), each a repeatable flag of the same name. */
const FILTER_FLAGS = ['account', 'kind', 'severity', 'status', 'model', 'app'] as const;
type FilterFlag = (typeof FILTER_FLAGS)[number];

const KINDS: Readonly<Record<TopicName, readonly NotificationKind[]>> = {
  support: ['incident.opened', 'incident.reminder', 'incident.resolved', 'incident.acknowledged'],
  account: [
    'account-issue.opened',
    'account-issue.updated',
    'account-issue.reminder',
    'account-issue.resolved',
    'account-issue.acknowledged',
  ],
};
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'warning', 'info'];

/** SNS limits on one filter policy (attribute names, and the product of the value counts). */
const MAX_FILTER_KEYS = 5;
const MAX_FILTER_COMBINATIONS = 150;

/** If the CLI dies without cleaning up, SNS stops filling the leftover queue's backlog after an hour. */
const QUEUE_RETENTION_SECONDS = 3600;

/** The options as given: each filter repeatable. */
export interface TailFlags extends StackTargetOptions, Partial<Record<FilterFlag, string[]>> {
  readonly max?: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

export type FilterValue = string | { readonly prefix: string };
export type FilterPolicy = Record<string, FilterValue[]>;

function filterValue(flag: FilterFlag, value: string, topic: TopicName): FilterValue {
  if (value === '') throw new UsageError(`--${flag} must not be empty`);
  if (flag === 'kind' && !KINDS[topic].includes(value as NotificationKind)) {
    const other = (Object.keys(KINDS) as TopicName[]).find((t) =>
      KINDS[t].includes(value as NotificationKind),
    );
    throw new UsageError(
      other
        ? `--kind ${value} is published on the ${other} topic, not on ${topic}`
        : `--kind must be one of ${KINDS[topic].join(', ')} on the ${topic} topic, got "${value}"`,
    );
  }
  if (flag === 'severity' && !SEVERITIES.includes(value as Severity)) {
    throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')}, got "${value}"`);
  }
  if (flag === 'status') {
    // The attribute is a String: match its text exactly, or a class like 5xx by prefix.
    const range = /^([1-5])xx$/i.exec(value);
    if (range?.[1]) return { prefix: range[1] };
    if (!/^\d{3}$/.test(value) || !isHttpStatus(Number(value))) {
      throw new UsageError(
        `--status must be an HTTP status such as 503, or a class such as 5xx, got "${value}"`,
      );
    }
  }
  return value;
}

/**
 * The SNS filter policy (on message attributes) for the filter flags: values of one flag are
 * alternatives, different flags must all match. Undefined when no filter was asked for.
 */
export function buildFilterPolicy(
  flags: Partial<Record<FilterFlag, readonly string[]>>,
  topic: TopicName,
): FilterPolicy | undefined {
  const policy: FilterPolicy = {};
  for (const flag of FILTER_FLAGS) {
    const values = [...new Set(flags[flag] ?? [])];
    if (values.length > 0) policy[flag] = values.map((value) => filterValue(flag, value, topic));
  }
  const keys = Object.keys(policy);
  if (keys.length === 0) return undefined;
  if (keys.length > MAX_FILTER_KEYS) {
    throw new UsageError(
      `SNS filter policies take at most ${MAX_FILTER_KEYS} attributes; drop one of ${keys.map((k) => `--${k}`).join(', ')}`,
    );
  }
  const combinations = Object.values(policy).reduce((product, values) => product * values.length, 1);
  if (combinations > MAX_FILTER_COMBINATIONS) {
    throw new UsageError(
      `the filter has ${combinations} value combinations; SNS allows at most ${MAX_FILTER_COMBINATIONS}`,
    );
  }
  return policy;
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = (integer ? /^\d+$/ : /^\d+(?:\.\d+)?$/).test(text) ? Number(text) : Number.NaN;
  if (!(value > 0)) {
    throw new UsageError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return value;
}

export interface TailOptions {
  readonly topic: TopicName;
  readonly filterPolicy?: FilterPolicy;
  readonly max?: number;
  readonly timeoutSeconds?: number;
  readonly json: boolean;
}

/** Check the options and build the filter; nothing is created before this passes. */
export function tailOptions(topic: string, values: TailFlags): TailOptions {
  if (topic !== 'support' && topic !== 'account') {
    throw new UsageError(`tail needs a topic: support or account (got "${topic}")`);
  }
  const filterPolicy = buildFilterPolicy(values, topic);
  const max = positiveNumber('max', values.max, true);
  const timeoutSeconds = positiveNumber('timeout', values.timeout, false);
  return {
    topic,
    json: values.json === true,
    ...(filterPolicy ? { filterPolicy } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}

/** Lets the topic (and only it) deliver to the queue; SNS needs this on AWS, the emulator ignores it. */
export function queuePolicy(queueArn: string, topicArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowTriageTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
}

/** One JSON line per notification: the body, with the envelope's subject and attributes. */
export function notificationJson(n: ReceivedNotification): string {
  return JSON.stringify({ ...n.body, subject: n.subject, attributes: n.attributes });
}

function signalStop(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // `once`: a second Ctrl-C while cleaning up falls back to Node's default and exits at once.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

interface Cleanup {
  readonly what: string;
  readonly run: () => Promise<unknown>;
}

type Outcome = 'max' | 'timeout' | 'stopped';

/** `triage tail`: a temporary queue subscribed to a topic, printing what arrives, removed on exit. */
export async function run(topic: string, values: TailFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const options = tailOptions(topic, values);
  const target = stackTargetFor(values, ctx);
  const topicArn = target.topics[TOPICS[options.topic]];
  if (!topicArn) throw new UsageError(`${target.source} does not name the ${options.topic} topic's ARN`);

  const stopper = ctx.stop ? { signal: ctx.stop, dispose: () => undefined } : signalStop();
  const stop = stopper.signal;
  const sns = snsClient(target);
  const sqs = sqsClient(target);
  const cleanups: Cleanup[] = [];
  try {
    const queueUrl = await subscribeQueue(sns, sqs, topicArn, options.filterPolicy, cleanups);
    if (stop.aborted) return EXIT.ok;
    const topicName = topicArn.split(':').pop();
    io.err(
      `tail: listening to ${topicName}${options.filterPolicy ? ` with filter ${JSON.stringify(options.filterPolicy)}` : ''}${
        options.max ? `, until ${options.max} notification(s)` : ''
      }${options.timeoutSeconds ? `, for ${options.timeoutSeconds} s` : ''} (Ctrl-C stops)`,
    );
    const { outcome, count } = await listen(sqs, queueUrl, options, io, stop, cleanups);
    if (outcome === 'timeout' && options.max !== undefined && count < options.max) {
      io.err(
        `tail: timed out after ${options.timeoutSeconds} s with ${count} of ${options.max} notification(s)`,
      );
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    stopper.dispose();
    await cleanUp(cleanups, io);
    sns.destroy();
    sqs.destroy();
  }
}

/** Create the queue, allow the topic to send to it, subscribe it; each step registers its undo. Returns the queue URL. */
async function subscribeQueue(
  sns: SNSClient,
  sqs: SQSClient,
  topicArn: string,
  filterPolicy: FilterPolicy | undefined,
  cleanups: Cleanup[],
): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `triage-tail-${randomUUID()}`,
      Attributes: { MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS) },
    }),
  );
  const queueUrl = created.QueueUrl;
  if (!queueUrl) throw new Error('CreateQueue returned no queue URL');
  cleanups.push({ what: queueUrl, run: () => sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })) });
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`queue ${queueUrl} has no ARN`);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: { Policy: JSON.stringify(queuePolicy(queueArn, topicArn)) },
    }),
  );
  const subscribed = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      ReturnSubscriptionArn: true,
      // Envelope delivery (not raw), so subject and attributes reach the reader.
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
  const subscriptionArn = subscribed.SubscriptionArn;
  if (!subscriptionArn) throw new Error('Subscribe returned no subscription ARN');
  cleanups.push({
    what: `subscription ${subscriptionArn}`,
    run: () => sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })),
  });
  return queueUrl;
}

async function listen(
  sqs: SQSClient,
  queueUrl: string,
  options: TailOptions,
  io: CliIo,
  stop: AbortSignal,
  cleanups: Cleanup[],
): Promise<{ outcome: Outcome; count: number }> {
  let count = 0;
  let finished = false;
  let lastError = '';
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    const finish = (why: Outcome) => {
      finished = true;
      resolve(why);
    };
    const reader = new NotificationReader(
      sqs,
      queueUrl,
      (notification) => {
        if (finished) return;
        count += 1;
        io.out(options.json ? notificationJson(notification) : formatNotification(notification));
        if (options.max !== undefined && count >= options.max) finish('max');
      },
      (error) => {
        // The reader retries forever; say so once per distinct problem, not every half second.
        const message = (error as Error).message ?? String(error);
        if (message !== lastError) io.err(`tail: cannot receive (${message}); retrying`);
        lastError = message;
      },
    );
    cleanups.push({ what: 'the reader', run: () => reader.stop() });
    if (options.timeoutSeconds !== undefined) {
      timer = setTimeout(() => finish('timeout'), options.timeoutSeconds * 1000);
    }
    onStop = () => finish('stopped');
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) finish('stopped');
    reader.start();
  });
  clearTimeout(timer);
  if (onStop) stop.removeEventListener('abort', onStop);
  return { outcome, count };
}

/** Undo in reverse order (reader, subscription, queue); name whatever is left behind. */
async function cleanUp(cleanups: Cleanup[], io: CliIo): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup.run();
    } catch (error) {
      io.err(`tail: could not remove ${cleanup.what} (${(error as Error).message}); delete it by hand`);
    }
  }
}
