import type { RecordedCall } from '../../helpers/aws-calls/recording';
import { type CfnTemplate, compare, functionName } from '../../iam/called-vs-granted';

const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** A small stack: one function with a table, a queue it sends to, a queue it consumes, a topic, one key. */
function template(statements: unknown[]): CfnTemplate {
  return {
    Resources: {
      Key1234: { Type: 'AWS::KMS::Key', Properties: {} },
      Table1234: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { SSESpecification: { KMSMasterKeyId: arn('Key1234'), SSEEnabled: true } },
      },
      Out1234: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: arn('Key1234') } },
      In1234: { Type: 'AWS::SQS::Queue', Properties: {} },
      Topic1234: { Type: 'AWS::SNS::Topic', Properties: {} },
      Logs1234: { Type: 'AWS::Logs::LogGroup', Properties: {} },
      WorkerRole1234: { Type: 'AWS::IAM::Role', Properties: {} },
      WorkerFunctionABCD1234: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: arn('WorkerRole1234'),
          LoggingConfig: { LogGroup: { Ref: 'Logs1234' } },
          Environment: {
            Variables: {
              TABLE_NAME: { Ref: 'Table1234' },
              OUT_URL: { Ref: 'Out1234' },
              TOPIC_ARN: { Ref: 'Topic1234' },
              PLAIN: 'text',
            },
          },
        },
      },
      Mapping1234: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'WorkerFunctionABCD1234' }, EventSourceArn: arn('In1234') },
      },
      Policy1234: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'WorkerRole1234' }], PolicyDocument: { Statement: statements } },
      },
    },
  };
}

const SERVICE_GRANTS = [
  { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn('Logs1234') },
  {
    Effect: 'Allow',
    Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    Resource: arn('In1234'),
  },
];
const call = (action: string, resource: RecordedCall['resource']): RecordedCall => ({
  function: 'worker',
  action,
  resource,
});

describe('called vs granted', () => {
  it('names a function by its logical id', () => {
    expect(functionName('IngestFunction4B2F2EB2')).toBe('ingest');
    expect(functionName('SomethingElse')).toBe('SomethingElse');
  });

  it('finds nothing missing or unused when the role allows exactly what is called and what the service needs', () => {
    const report = compare(
      template([
        ...SERVICE_GRANTS,
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: arn('Table1234') },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: arn('Key1234') },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic1234' } },
      ]),
      [call('dynamodb:GetItem', { env: 'TABLE_NAME' }), call('sns:PublishBatch', { env: 'TOPIC_ARN' })],
    ).worker;
    expect(report).toMatchObject({ missing: [], unused: [] });
    expect(report?.called).toEqual(['dynamodb:GetItem {Table1234.Arn}', 'sns:Publish {Topic1234.Arn}']);
  });

  it('reports a call the role does not allow, and the key use an encrypted queue implies', () => {
    const report = compare(
      template([...SERVICE_GRANTS, { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn('Out1234') }]),
      [call('sqs:SendMessageBatch', { env: 'OUT_URL' }), call('dynamodb:PutItem', { env: 'TABLE_NAME' })],
    ).worker;
    expect(report?.missing).toEqual([
      expect.stringMatching(/^dynamodb:PutItem \{Table1234\.Arn\}: not allowed/),
      'kms:Decrypt {Key1234.Arn}: not allowed — the handler calls sqs:SendMessageBatch on an encrypted resource; the handler calls dynamodb:PutItem on an encrypted resource',
      expect.stringMatching(/^kms:DescribeKey \{Key1234\.Arn\}: not allowed/),
      expect.stringMatching(/^kms:Encrypt \{Key1234\.Arn\}: not allowed/),
      expect.stringMatching(/^kms:GenerateDataKey \{Key1234\.Arn\}: not allowed/),
    ]);
  });

  it('lists grants nothing uses, and the event source needs as used', () => {
    const report = compare(
      template([
        ...SERVICE_GRANTS,
        { Effect: 'Allow', Action: ['sqs:ChangeMessageVisibility'], Resource: arn('In1234') },
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
      ]),
      [],
    ).worker;
    expect(report?.missing).toEqual([]);
    expect(report?.unused).toEqual(['dynamodb:* *', 'sqs:ChangeMessageVisibility {In1234.Arn}']);
  });

  it('matches index wildcards and evaluates dynamodb:LeadingKeys conditions', () => {
    const statements = [
      ...SERVICE_GRANTS,
      { Effect: 'Allow', Action: 'kms:Decrypt*', Resource: arn('Key1234') },
      { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: arn('Key1234') },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [arn('Table1234'), '/index/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: arn('Table1234'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['silence', 'incident#*'] } },
      },
    ];
    const report = compare(template(statements), [
      call('dynamodb:Query', { env: 'TABLE_NAME', index: 'due-index' }),
      call('dynamodb:Query', { env: 'TABLE_NAME', leadingKeys: ['incident#x#y'] }),
      call('dynamodb:Query', { env: 'TABLE_NAME', leadingKeys: ['token'] }),
    ]).worker;
    expect(report?.missing).toEqual([
      expect.stringMatching(/^dynamodb:Query \{Table1234\.Arn\} \(partition token\): not allowed/),
    ]);
  });

  it('refuses a call on a resource no environment variable names', () => {
    const report = compare(template(SERVICE_GRANTS), [
      call('sqs:SendMessage', { name: 'https://sqs.local/000/hard-coded' }),
      call('sqs:SendMessage', { env: 'PLAIN' }),
    ]).worker;
    expect(report?.missing).toEqual([
      expect.stringMatching(/^sqs:SendMessage \$PLAIN: the template does not give/),
      expect.stringMatching(/hard-coded: a resource named by no environment variable/),
    ]);
  });

  it('reads resource policies: a key policy naming the role allows, a queue policy denying everyone refuses, a TLS-only deny does not apply', () => {
    const base = template([
      ...SERVICE_GRANTS,
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arn('Out1234') },
    ]);
    const tls = { Bool: { 'aws:SecureTransport': 'false' } };
    const withPolicies = (deny: Record<string, unknown>): CfnTemplate => ({
      Resources: {
        ...base.Resources,
        Key1234: {
          Type: 'AWS::KMS::Key',
          Properties: {
            KeyPolicy: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: arn('WorkerRole1234') },
                  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
                  Resource: '*',
                },
              ],
            },
          },
        },
        OutPolicy1234: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: {
            Queues: [{ Ref: 'Out1234' }],
            PolicyDocument: {
              Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', ...deny }],
            },
          },
        },
      },
    });
    const send = [call('sqs:SendMessage', { env: 'OUT_URL' })];
    expect(compare(withPolicies({ Condition: tls }), send).worker?.missing).toEqual([]);
    expect(compare(withPolicies({}), send).worker?.missing).toEqual([
      expect.stringMatching(/^sqs:SendMessage \{Out1234\.Arn\}: denied/),
    ]);
  });

  it('reads a managed policy of the template attached to the role', () => {
    const base = template(SERVICE_GRANTS);
    const report = compare(
      {
        Resources: {
          ...base.Resources,
          WorkerRole1234: {
            Type: 'AWS::IAM::Role',
            Properties: { ManagedPolicyArns: [{ Ref: 'Managed1234' }] },
          },
          Managed1234: {
            Type: 'AWS::IAM::ManagedPolicy',
            Properties: {
              PolicyDocument: {
                Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic1234' } }],
              },
            },
          },
        },
      },
      [call('sns:Publish', { env: 'TOPIC_ARN' })],
    ).worker;
    expect(report).toMatchObject({ missing: [], unused: [] });
  });

  it('needs the service rights to the consumed queue', () => {
    const report = compare(template([SERVICE_GRANTS[0]]), []).worker;
    expect(report?.missing).toEqual([
      expect.stringMatching(
        /^sqs:DeleteMessage \{In1234\.Arn\}: not allowed — the event source mapping Mapping1234/,
      ),
      expect.stringMatching(/^sqs:GetQueueAttributes/),
      expect.stringMatching(/^sqs:ReceiveMessage/),
    ]);
  });
});
