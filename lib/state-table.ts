import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export const DUE_INDEX_NAME = 'due-index';

/** Item-level actions a function may be granted on the table (never Scan, never table management). */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:BatchWriteItem';

const WRITES: readonly ItemAction[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'];

export interface StateTableProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * The one state table (contracts): `pk`/`sk`, TTL on `expiresAt`, the sparse `due-index` GSI the sweep
 * queries; on-demand, point-in-time recovery, encrypted with the stack's key, retained on stack deletion.
 */
export class StateTable extends Construct {
  public readonly table: dynamodb.Table;
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX_NAME,
      partitionKey: { name: 'dueShard', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'nextDueAt', type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }

  /**
   * Give a function exactly these item actions on the table itself (not its indexes), the key use they imply,
   * and `TABLE_NAME`.
   */
  public bindItems(fn: lambda.Function, actions: readonly ItemAction[]): void {
    iam.Grant.addToPrincipal({ grantee: fn, actions: [...actions], resourceArns: [this.table.tableArn] });
    const writes = actions.some((action) => WRITES.includes(action));
    this.grantKey(fn, writes);
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }

  /** Let a function Query the due-index (and nothing else on it); the sweep's way to find due scopes. */
  public bindDueQuery(fn: lambda.Function): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${DUE_INDEX_NAME}`],
    });
    this.grantKey(fn, false);
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }

  /**
   * Give a function these actions on one partition of the table and no other (`dynamodb:LeadingKeys`): the
   * on-call function lists the incident history and manages silences this way, and the triage and sweep
   * functions read the silences, without reaching tokens or scope records through these grants.
   */
  public bindPartition(
    fn: lambda.Function,
    partitionKey: string | readonly string[],
    actions: readonly (ItemAction | 'dynamodb:Query')[],
  ): void {
    // A list of patterns (`incident#*`) is matched with StringLike; one exact key with StringEquals.
    const like = Array.isArray(partitionKey);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: [...actions],
      resourceArns: [this.table.tableArn],
    }).principalStatement?.addCondition(like ? 'ForAllValues:StringLike' : 'ForAllValues:StringEquals', {
      'dynamodb:LeadingKeys': like ? [...partitionKey] : [partitionKey],
    });
    this.grantKey(
      fn,
      actions.some((action) => (WRITES as readonly string[]).includes(action)),
    );
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
  }

  /** DynamoDB uses the caller's rights on the key (kms:ViaService): decrypt to read, also encrypt to write. */
  private grantKey(fn: lambda.Function, writes: boolean): void {
    const actions = ['kms:Decrypt', 'kms:DescribeKey'];
    if (writes) actions.push('kms:Encrypt', 'kms:GenerateDataKey');
    this.encryptionKey.grant(fn, ...actions);
  }
}
