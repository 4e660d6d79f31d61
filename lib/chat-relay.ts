import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHAT_PREFIX } from '../functions/adapters/deliveries';
import { routeVariables } from '../functions/chat-relay/wiring';
import type { Topic } from '../functions/core/policy/types';
import type { FilterPolicy } from './config';
import { deadLetterQueue } from './dead-letter-queue';
import type { EncryptionKey } from './encryption-key';
import { toSubscriptionFilters } from './notification-topics';
import { consumeQueue } from './sqs-consumer';
import type { StateTable } from './state-table';
import { TriageFunction } from './triage-function';

/** A Slack or Teams channel of config `chat` with a filter policy. */
export interface FilteredChannel {
  readonly name: string;
  readonly topics: readonly Topic[];
  readonly filterPolicy: FilterPolicy;
}

export interface ChatRelayProps {
  readonly channels: readonly FilteredChannel[];
  /** The notification topics by name: the channels' sources. */
  readonly topics: Readonly<Record<Topic, sns.ITopic>>;
  readonly encryption: EncryptionKey;
  /** Where the relay records what each channel already got (its own partition, `chat#…`). */
  readonly table: StateTable;
  readonly logRetentionDays: number;
}

const TIMEOUT = Duration.seconds(30);

/** Publisher rights on an encrypted topic: SNS encrypts with a data key made under the caller's rights. */
const PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * Filtered chat channels (docs/design.md, "Filtered chat channels"). AWS Chatbot makes its own subscription
 * to each topic a channel lists, and CloudFormation cannot give it a filter policy; so a channel with a
 * filterPolicy gets a topic of its own: an encrypted queue subscribed to its source topics with the policy
 * (SNS evaluates it), and one relay function, shared by all filtered channels, that publishes each
 * notification it receives to the channel's topic with the same per-protocol document. The relay may
 * consume those queues, publish to those topics and read and write its own partition of the state table
 * (what each channel already got), nothing else.
 */
export class ChatRelay extends Construct {
  public readonly function: TriageFunction;
  public readonly deadLetterQueue: sqs.Queue;
  /** Each filtered channel's own topic, by channel name: its Chatbot channel configuration lists it. */
  public readonly channelTopics: ReadonlyMap<string, sns.Topic>;
  public readonly queues: ReadonlyMap<string, sqs.Queue>;

  constructor(scope: Construct, id: string, props: ChatRelayProps) {
    super(scope, id);
    const key = props.encryption.key;
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', key, 'the chat relay');
    // SNS may use the key for this account's topics to deliver to the encrypted queues (as for PagerDuty's).
    props.encryption.allowService('AllowSnsToEncryptedQueues', 'sns.amazonaws.com', [
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
    this.function = new TriageFunction(this, 'Function', {
      name: 'chat-relay',
      description: 'Relay notifications matching a chat channel filter policy to the channel topic',
      memorySize: 256,
      timeout: TIMEOUT,
      logRetentionDays: props.logRetentionDays,
      encryptionKey: key,
    });
    props.table.bindPartition(this.function, [`${CHAT_PREFIX}*`], ['dynamodb:GetItem', 'dynamodb:PutItem']);

    const channelTopics = new Map<string, sns.Topic>();
    const queues = new Map<string, sqs.Queue>();
    props.channels.forEach((channel, i) => {
      const channelScope = new Construct(this, `Channel-${channel.name}`);
      const topic = new sns.Topic(channelScope, 'Topic', {
        displayName: `Fireworks notifications for chat channel ${channel.name}`,
        masterKey: key,
        enforceSSL: true,
      });
      const queue = new sqs.Queue(channelScope, 'Queue', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        // Six times the function timeout, as Lambda recommends for an SQS event source.
        visibilityTimeout: Duration.seconds(TIMEOUT.toSeconds() * 6),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      });
      // By hand rather than SqsSubscription: its key-policy statement names the topic, whose own encryption
      // names the key — a cycle (lib/pagerduty-forwarder.ts). Raw delivery stays off: the relay reads the
      // SNS envelope, whose Message is the notification JSON.
      for (const name of channel.topics) {
        const source = props.topics[name];
        const { policyDependable } = queue.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': source.topicArn } },
          }),
        );
        const subscription = new sns.Subscription(channelScope, `From-${name}`, {
          topic: source,
          protocol: sns.SubscriptionProtocol.SQS,
          endpoint: queue.queueArn,
          filterPolicy: toSubscriptionFilters(channel.filterPolicy),
        });
        if (policyDependable) subscription.node.addDependency(policyDependable);
      }
      consumeQueue(this.function, queue, { batchSize: 10 });
      topic.grants.actions(this.function, ['sns:Publish'], { keyActions: PUBLISH_KEY_ACTIONS });
      const variables = routeVariables(i);
      this.function.addEnvironment(variables.name, channel.name);
      this.function.addEnvironment(variables.queueArn, queue.queueArn);
      this.function.addEnvironment(variables.topicArn, topic.topicArn);
      channelTopics.set(channel.name, topic);
      queues.set(channel.name, queue);
    });
    this.channelTopics = channelTopics;
    this.queues = queues;
  }
}
