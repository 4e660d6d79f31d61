import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The one customer-managed key (with yearly rotation) that encrypts the state table, the queues, the topics
 * and the log groups. Only CloudWatch Logs gets a standing key-policy grant here; constructs that need a
 * service to use the key (EventBridge for a DLQ, CloudWatch for alarm topics) add their own statement.
 */
export class EncryptionKey extends Construct {
  public readonly key: kms.Key;
  private readonly allowed = new Set<string>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'fireworks-error-triage: state table, queues, topics and log groups',
      enableKeyRotation: true,
      // Data encrypted with it (table backups, retained log groups) outlives the stack; so does the key.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key itself, so the key policy (not IAM) must allow it, and only for
    // log groups of this account and region (the documented encryption-context condition).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
  }

  /**
   * Let an AWS service of this account use the key for one of this stack's resources (key-policy statement).
   * Once per `sid`: constructs that need the same statement (SNS delivering to encrypted queues) each ask.
   */
  public allowService(sid: string, service: string, actions: readonly string[]): void {
    if (this.allowed.has(sid)) return;
    this.allowed.add(sid);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(service)],
        actions: [...actions],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}
