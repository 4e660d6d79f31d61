import { ConfigError } from '../core/errors';

/** One filtered chat channel as the relay serves it: what its queue receives goes to its topic. */
export interface ChannelRoute {
  /** The channel configuration's name (config `chat`), for logs. */
  readonly name: string;
  /** The channel's queue, subscribed to its source topics with its filter policy. */
  readonly queueArn: string;
  /** The channel's own topic, which its AWS Chatbot channel configuration subscribes to. */
  readonly topicArn: string;
}

/** Environment variables of channel `i` (lib/chat-relay.ts sets them): one ARN a variable, as the template names it. */
export const routeVariables = (i: number) =>
  ({
    name: `CHAT_CHANNEL_${i}_NAME`,
    queueArn: `CHAT_CHANNEL_${i}_QUEUE_ARN`,
    topicArn: `CHAT_CHANNEL_${i}_TOPIC_ARN`,
  }) as const;

const ARN = {
  queueArn: /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]{1,80}$/,
  topicArn: /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/,
} as const;

/**
 * The channels, by queue ARN, from CHAT_CHANNEL_0_… upwards (the first index without a queue ends the list),
 * checked at cold start: a missing or malformed ARN is a ConfigError naming the variable.
 */
export function readRoutes(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, ChannelRoute> {
  const routes = new Map<string, ChannelRoute>();
  for (let i = 0; env[routeVariables(i).queueArn] !== undefined; i++) {
    const variables = routeVariables(i);
    const route = {
      name: env[variables.name] ?? `channel ${i}`,
      queueArn: env[variables.queueArn] ?? '',
      topicArn: env[variables.topicArn] ?? '',
    };
    for (const key of ['queueArn', 'topicArn'] as const) {
      if (!ARN[key].test(route[key])) {
        const what = key === 'queueArn' ? 'an SQS queue ARN' : 'an SNS topic ARN';
        throw new ConfigError(`${variables[key]}: expected ${what}, got "${route[key]}"`, [
          { path: variables[key], message: `expected ${what}` },
        ]);
      }
    }
    if (routes.has(route.queueArn)) {
      throw new ConfigError(`${variables.queueArn}: queue ${route.queueArn} is named twice`, [
        { path: variables.queueArn, message: 'expected each channel to have its own queue' },
      ]);
    }
    routes.set(route.queueArn, route);
  }
  if (routes.size === 0) {
    throw new ConfigError('Missing required environment variable CHAT_CHANNEL_0_QUEUE_ARN', [
      { path: 'CHAT_CHANNEL_0_QUEUE_ARN', message: 'required' },
    ]);
  }
  return routes;
}
