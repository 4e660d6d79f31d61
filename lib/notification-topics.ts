import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { BillingOwnerConfig, FilterPolicy, SubscriptionConfig, SubscriptionProtocol } from './config';

const PROTOCOL: Readonly<Record<SubscriptionProtocol, sns.SubscriptionProtocol>> = {
  email: sns.SubscriptionProtocol.EMAIL,
  https: sns.SubscriptionProtocol.HTTPS,
  sqs: sns.SubscriptionProtocol.SQS,
  lambda: sns.SubscriptionProtocol.LAMBDA,
  sms: sns.SubscriptionProtocol.SMS,
};

/** Publisher rights on an encrypted topic: SNS encrypts with a data key made under the caller's rights. */
const PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export interface NotificationTopicsProps {
  readonly encryptionKey: kms.IKey;
  /** Subscriptions to the support-escalations topic. @default [] */
  readonly supportSubscriptions?: readonly SubscriptionConfig[];
  /** Subscriptions to the account-issues topic, each filtered on the `account` attribute. @default [] */
  readonly billingOwners?: readonly BillingOwnerConfig[];
}

/**
 * The two notification topics (docs/design.md, "Notifications"): support-escalations and account-issues, KMS-encrypted, TLS-only,
 * with the subscriptions from config. Billing owners hear only about their own accounts.
 */
export class NotificationTopics extends Construct {
  public readonly supportEscalations: sns.Topic;
  public readonly accountIssues: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.supportEscalations = new sns.Topic(this, 'SupportEscalations', {
      displayName: 'Fireworks support escalations',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.accountIssues = new sns.Topic(this, 'AccountIssues', {
      displayName: 'Fireworks account issues',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    (props.supportSubscriptions ?? []).forEach((subscription, i) => {
      subscribe(this, `Support${i}`, this.supportEscalations, subscription, subscription.filterPolicy);
    });
    (props.billingOwners ?? []).forEach((owner, i) => {
      subscribe(this, `BillingOwner${i}`, this.accountIssues, owner, { account: owner.accounts });
    });
  }

  /** Let a function publish to both topics, with `SUPPORT_TOPIC_ARN` and `ACCOUNT_TOPIC_ARN` set. */
  public bindPublisher(fn: lambda.Function): void {
    for (const topic of [this.supportEscalations, this.accountIssues]) {
      topic.grants.actions(fn, ['sns:Publish'], { keyActions: PUBLISH_KEY_ACTIONS });
    }
    fn.addEnvironment('SUPPORT_TOPIC_ARN', this.supportEscalations.topicArn);
    fn.addEnvironment('ACCOUNT_TOPIC_ARN', this.accountIssues.topicArn);
  }
}

function subscribe(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  target: { readonly protocol: SubscriptionProtocol; readonly endpoint: string },
  filterPolicy: FilterPolicy | undefined,
): sns.Subscription {
  return new sns.Subscription(scope, id, {
    topic,
    protocol: PROTOCOL[target.protocol],
    endpoint: target.endpoint,
    filterPolicy: filterPolicy && toSubscriptionFilters(filterPolicy),
  });
}

/** Config holds SNS's own JSON filter-policy syntax; CDK wants one SubscriptionFilter per attribute. */
export function toSubscriptionFilters(policy: FilterPolicy): Record<string, sns.SubscriptionFilter> {
  return Object.fromEntries(
    Object.entries(policy).map(([attribute, conditions]) => [
      attribute,
      new sns.SubscriptionFilter([...conditions]),
    ]),
  );
}
