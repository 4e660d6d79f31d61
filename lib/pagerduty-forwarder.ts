import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PAGERDUTY_PREFIX } from '../functions/adapters/deliveries';
import type { Topic } from '../functions/core/policy/types';
import type { PagerDutyConfig } from './config';
import { deadLetterQueue } from './dead-letter-queue';
import type { EncryptionKey } from './encryption-key';
import { consumeQueue } from './sqs-consumer';
import type { StateTable } from './state-table';
import { TriageFunction } from './triage-function';

export interface PagerDutyForwarderProps {
  readonly config: PagerDutyConfig;
  readonly topics: Readonly<Record<Topic, sns.ITopic>>;
  readonly table: StateTable;
  readonly encryption: EncryptionKey;
  readonly logRetentionDays: number;
}

const TIMEOUT = Duration.seconds(30);

/**
 * PagerDuty Events API v2 forwarding (docs/design.md, "PagerDuty"): the configured topics → an encrypted
 * queue → the forwarder function. The function alone may read the routing-key secret; it writes delivery
 * records in its own partition of the state table, and puts refused events on the dead-letter queue.
 */
export class PagerDutyForwarder extends Construct {
  public readonly function: TriageFunction;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PagerDutyForwarderProps) {
    super(scope, id);
    const { config } = props;
    const key = props.encryption.key;
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', key, 'the PagerDuty forwarder');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      // Six times the function timeout, as Lambda recommends for an SQS event source.
      visibilityTimeout: Duration.seconds(TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    // By hand rather than SqsSubscription: its key-policy statement names the topic, whose own encryption
    // names the key — a cycle. SNS may use the key for this account's topics; the queue policy names each topic.
    props.encryption.allowService('AllowSnsToEncryptedQueues', 'sns.amazonaws.com', [
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
    for (const name of config.topics) {
      const topic = props.topics[name];
      const { policyDependable } = this.queue.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [this.queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': topic.topicArn } },
        }),
      );
      const subscription = new sns.Subscription(this, `From-${name}`, {
        topic,
        protocol: sns.SubscriptionProtocol.SQS,
        endpoint: this.queue.queueArn,
      });
      if (policyDependable) subscription.node.addDependency(policyDependable);
    }

    this.function = new TriageFunction(this, 'Function', {
      name: 'pagerduty',
      description: 'Forward notifications to the PagerDuty Events API v2 (trigger, acknowledge, resolve)',
      memorySize: 256,
      timeout: TIMEOUT,
      logRetentionDays: props.logRetentionDays,
      encryptionKey: key,
      environment: {
        // The secret's name, not its value: the routing key is read at run time.
        PAGERDUTY_SECRET_ID: config.secretName,
        PAGERDUTY_EVENTS_URL: config.eventsUrl,
        PAGERDUTY_ROUTING: JSON.stringify({ topics: config.topics, severities: config.severities }),
        PAGERDUTY_DLQ_URL: this.deadLetterQueue.queueUrl,
      },
    });
    consumeQueue(this.function, this.queue, { batchSize: 10 });
    // GetSecretValue only (grantRead adds DescribeSecret, which the forwarder never calls: test/iam). A secret
    // named by name has an ARN ending in a dash and six random characters.
    const routingKey = secretsmanager.Secret.fromSecretNameV2(this, 'RoutingKey', config.secretName);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`${routingKey.secretArn}-??????`],
      }),
    );
    this.deadLetterQueue.grants.actions(this.function, ['sqs:SendMessage'], {
      keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    });
    props.table.bindPartition(
      this.function,
      [`${PAGERDUTY_PREFIX}*`],
      ['dynamodb:GetItem', 'dynamodb:PutItem'],
    );
  }
}
