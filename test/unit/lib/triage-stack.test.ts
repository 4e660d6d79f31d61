import { Match, type Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_POLICY, parsePolicyConfig } from '../../../functions/core/policy';
import { type Resources, SLACK_ONCALL, synthTemplate, TEAMS_BILLING } from './synth';

const FULL_CONTEXT = {
  policy: { incidents: { persistence: { minErrors: 3 } } },
  logGroups: ['/aws/lambda/checkout', { name: '/ecs/recommender', count: 'all' }],
  logFilterPattern: '?ERROR ?"HTTP 5"',
  logCount: 'llm',
  supportSubscriptions: [
    { protocol: 'email', endpoint: 'oncall@acme.test', filterPolicy: { severity: ['critical'] } },
    { protocol: 'https', endpoint: 'https://hooks.acme.test/sns' },
  ],
  billingOwners: [{ protocol: 'email', endpoint: 'billing@acme.test', accounts: ['acme', 'globex'] }],
  throttling: { rateLimit: 20, burstLimit: 40 },
  tokenCacheSeconds: 30,
  logRetentionDays: 90,
  alarmTopic: 'support',
  alarmEmail: 'ops@acme.test',
  urgentBatch: { batchSize: 5, maxBatchingWindowSeconds: 0, maxReceiveCount: 3 },
  bulkBatch: { batchSize: 50, maxBatchingWindowSeconds: 5, maxReceiveCount: 4, maxConcurrency: 7 },
};

const FUNCTIONS = ['Ingest', 'Codes', 'Triage', 'Sweep', 'Logs', 'Oncall'] as const;
type Fn = (typeof FUNCTIONS)[number];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

let defaults: Template;
let full: Template;

beforeAll(() => {
  defaults = synthTemplate();
  full = synthTemplate(FULL_CONTEXT);
});

const resources = (template: Template): Resources => template.toJSON().Resources as Resources;
const ofType = (template: Template, type: string) =>
  Object.entries(resources(template)).filter(([, r]) => r.Type === type);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function functionId(template: Template, fn: Fn): string {
  const found = ofType(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(`${fn}Function`));
  expect(found).toHaveLength(1);
  return found[0]?.[0] ?? '';
}

function functionProps(template: Template, fn: Fn): Record<string, unknown> {
  return resources(template)[functionId(template, fn)]?.Properties ?? {};
}

function envOf(template: Template, fn: Fn): Record<string, unknown> {
  return (functionProps(template, fn).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every statement of the IAM policies attached to a function's role. */
function roleStatements(template: Template, fn: Fn): Statement[] {
  const role = (functionProps(template, fn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Actions other than writing its own logs and using the key. */
function serviceActions(template: Template, fn: Fn): string[] {
  return roleStatements(template, fn)
    .flatMap((s) => asList(s.Action))
    .filter((a) => !a.startsWith('logs:') && !a.startsWith('kms:'))
    .sort();
}

function keyActions(template: Template, fn: Fn): string[] {
  return roleStatements(template, fn)
    .flatMap((s) => asList(s.Action))
    .filter((a) => a.startsWith('kms:'))
    .sort();
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a resource that is not in the template');
  return value;
}

const keyId = (template: Template) => ofType(template, 'AWS::KMS::Key')[0]?.[0];

describe('TriageStack', () => {
  describe('encryption', () => {
    it('uses one customer-managed key with rotation', () => {
      defaults.resourceCountIs('AWS::KMS::Key', 1);
      defaults.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('encrypts the state table with that key', () => {
      defaults.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyId(defaults), 'Arn'] },
        },
      });
    });

    it.each([
      ['AWS::SQS::Queue', 'KmsMasterKeyId'],
      ['AWS::SNS::Topic', 'KmsMasterKeyId'],
      ['AWS::Logs::LogGroup', 'KmsKeyId'],
    ])('encrypts every %s with that key', (type, property) => {
      const all = ofType(full, type);
      expect(all.length).toBeGreaterThan(0);
      for (const [, resource] of all) {
        expect(JSON.stringify(resource.Properties[property])).toContain(keyId(full) ?? 'no key');
      }
    });

    it('lets CloudWatch Logs use the key only for log groups of this account and region', () => {
      defaults.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: {
                Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });
  });

  describe('state table', () => {
    it('has the contract key schema, TTL, on-demand billing and point-in-time recovery', () => {
      defaults.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('has the sparse due-index (dueShard S, nextDueAt N, keys only: index writes stay one unit)', () => {
      defaults.hasResourceProperties('AWS::DynamoDB::Table', {
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'dueShard', AttributeType: 'S' },
          { AttributeName: 'nextDueAt', AttributeType: 'N' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'due-index',
            KeySchema: [
              { AttributeName: 'dueShard', KeyType: 'HASH' },
              { AttributeName: 'nextDueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      });
    });

    it('is retained when the stack is deleted', () => {
      defaults.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('dead-letter queues', () => {
    it('redrives both events lanes to one DLQ after their maxReceiveCount deliveries', () => {
      const redrives = (template: Template) =>
        ofType(template, 'AWS::SQS::Queue')
          .map(
            ([, queue]) =>
              queue.Properties.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown },
          )
          .filter(Boolean);
      expect(redrives(defaults)).toHaveLength(2);
      expect(redrives(defaults).map((r) => r.maxReceiveCount)).toEqual([5, 5]);
      expect(
        redrives(full)
          .map((r) => r.maxReceiveCount)
          .sort(),
      ).toEqual([3, 4]);
      const targets = new Set(redrives(full).map((r) => JSON.stringify(r.deadLetterTargetArn)));
      expect(targets.size).toBe(1);
    });

    it('gives the sweep schedule target a DLQ and a retry policy', () => {
      defaults.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [functionId(defaults, 'Sweep'), 'Arn'] },
            DeadLetterConfig: { Arn: Match.anyValue() },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          }),
        ],
      });
    });

    it('does not let Lambda retry a failed sweep (the next minute does the same work)', () => {
      defaults.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId(defaults, 'Sweep') },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it('alarms on any message in each DLQ (events, sweep schedule, logs function)', () => {
      const dlqAlarms = ofType(defaults, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
      );
      expect(dlqAlarms).toHaveLength(3);
    });

    it('keeps payloads the logs function failed on after two Lambda retries in its DLQ', () => {
      const logsFunction = ofType(defaults, 'AWS::Lambda::Function').find(([id]) =>
        id.startsWith('LogsFunction'),
      )?.[0];
      const dlq = ofType(defaults, 'AWS::SQS::Queue').find(([id]) =>
        id.startsWith('LogSubscriptionsDeadLetterQueue'),
      )?.[0];
      defaults.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logsFunction },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
    });
  });

  describe('TLS only', () => {
    it.each([
      ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
      ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
    ])('every %s denies requests without TLS', (type, property) => {
      const policies = ofType(full, type);
      expect(policies.length).toBeGreaterThan(0);
      for (const [, policy] of policies) {
        expect((policy.Properties[property] as { Statement: unknown[] }).Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    it('covers every topic and queue with such a policy', () => {
      full.resourceCountIs('AWS::SNS::TopicPolicy', ofType(full, 'AWS::SNS::Topic').length);
      full.resourceCountIs('AWS::SQS::QueuePolicy', ofType(full, 'AWS::SQS::Queue').length);
    });
  });

  describe('least privilege', () => {
    it('has no IAM statement with a wildcard action or a wildcard resource', () => {
      const documents = [
        ...ofType(full, 'AWS::IAM::Policy').map(([, p]) => p.Properties.PolicyDocument),
        ...ofType(full, 'AWS::IAM::Role').flatMap(([, r]) =>
          ((r.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
            (p) => p.PolicyDocument,
          ),
        ),
      ] as { Statement: Statement[] }[];
      expect(documents.length).toBeGreaterThanOrEqual(5);
      const statements = documents.flatMap((d) => d.Statement);
      for (const statement of statements) {
        for (const action of asList(statement.Action)) expect(action).not.toMatch(/^(\*|[\w-]+:\*)$/);
        expect(asList(statement.Resource)).not.toContain('*');
      }
    });

    it('attaches no managed policy to any role', () => {
      for (const [, role] of ofType(full, 'AWS::IAM::Role'))
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('lets each function write only to its own log group', () => {
      for (const fn of FUNCTIONS) {
        const logGroup = (functionProps(defaults, fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
          .Ref;
        const logStatements = roleStatements(defaults, fn).filter((s) =>
          asList(s.Action).includes('logs:PutLogEvents'),
        );
        expect(logStatements).toEqual([
          expect.objectContaining({ Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } }),
        ]);
      }
    });

    it.each<[Fn, string[]]>([
      ['Ingest', ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'sqs:SendMessage']],
      ['Codes', []],
      [
        'Triage',
        [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'sns:Publish',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
        ],
      ],
      [
        'Sweep',
        [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:Query',
          'sns:Publish',
        ],
      ],
      ['Logs', ['sqs:SendMessage']],
      [
        'Oncall',
        [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:Query',
          'dynamodb:Query',
          'sns:Publish',
        ],
      ],
    ])('grants %s exactly %j', (fn, actions) => {
      expect(serviceActions(defaults, fn)).toEqual(actions);
    });

    it('grants key use only to the functions that touch encrypted data', () => {
      expect(keyActions(defaults, 'Codes')).toEqual([]);
      expect(keyActions(defaults, 'Logs')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(keyActions(defaults, 'Ingest')).toEqual([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:GenerateDataKey',
      ]);
    });

    it('lets the sweep query only the due-index, and grants item actions on the table, not its indexes', () => {
      const table = ofType(defaults, 'AWS::DynamoDB::Table')[0]?.[0] ?? '';
      const statements = roleStatements(defaults, 'Sweep').filter((s) =>
        asList(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Action: 'dynamodb:Query',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/due-index']] },
          }),
          expect.objectContaining({
            Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
            Resource: { 'Fn::GetAtt': [table, 'Arn'] },
          }),
        ]),
      );
    });

    it('lets the on-call function query the due-index and only the incident-history partition of the table', () => {
      const table = ofType(defaults, 'AWS::DynamoDB::Table')[0]?.[0] ?? '';
      const queries = roleStatements(defaults, 'Oncall').filter((s) =>
        asList(s.Action).includes('dynamodb:Query'),
      );
      expect(queries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/due-index']] },
          }),
          expect.objectContaining({
            Resource: { 'Fn::GetAtt': [table, 'Arn'] },
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['incident-history'] } },
          }),
        ]),
      );
      expect(queries).toHaveLength(3);
    });

    it('lets the on-call function write only silences and incident/account scopes, and triage and sweep read silences, by partition', () => {
      const table = ofType(defaults, 'AWS::DynamoDB::Table')[0]?.[0] ?? '';
      const onSilences = (fn: Fn) =>
        roleStatements(defaults, fn).filter((s) =>
          JSON.stringify((s as { Condition?: unknown }).Condition ?? '').includes('"silence"'),
        );
      expect(onSilences('Oncall')).toEqual([
        expect.objectContaining({
          Action: ['dynamodb:PutItem', 'dynamodb:Query'],
          Resource: { 'Fn::GetAtt': [table, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['silence'] } },
        }),
      ]);
      for (const fn of ['Triage', 'Sweep'] as const) {
        expect(onSilences(fn)).toEqual([expect.objectContaining({ Action: 'dynamodb:Query' })]);
      }
      const writes = roleStatements(defaults, 'Oncall').filter((s) =>
        asList(s.Action).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'),
      );
      expect(writes).toEqual([
        expect.objectContaining({
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['silence'] } },
        }),
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['incident#*', 'account#*'] } },
        }),
      ]);
      expect(keyActions(defaults, 'Oncall')).toEqual([
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      ]);
    });

    it('grants Publish on exactly the two notification topics', () => {
      const publish = roleStatements(defaults, 'Triage').find((s) =>
        asList(s.Action).includes('sns:Publish'),
      );
      const topics = ofType(defaults, 'AWS::SNS::Topic')
        .map(([id]) => id)
        .filter((id) => id.startsWith('Notifications'));
      expect(topics).toHaveLength(2);
      expect(asList(publish?.Resource)).toEqual(expect.arrayContaining(topics.map((id) => ({ Ref: id }))));
      expect(asList(publish?.Resource)).toHaveLength(2);
    });

    it('gives account-wide key administration only to the account root (the default key policy)', () => {
      const [[, key] = ['', { Type: '', Properties: {} }]] = ofType(full, 'AWS::KMS::Key');
      const statements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
      const wildcard = statements.filter((s) => asList(s.Action).some((a) => /^(\*|kms:\*)$/.test(a)));
      expect(wildcard).toHaveLength(1);
      expect(JSON.stringify(wildcard[0]?.Principal)).toContain(':root');
    });
  });

  describe('functions', () => {
    it('runs every function on Node.js 24, arm64, with its own log group', () => {
      defaults.resourceCountIs('AWS::Lambda::Function', 6);
      defaults.allResourcesProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
      });
    });

    it('gives every log group the configured retention', () => {
      defaults.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      full.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('sets the common Powertools and source-map variables on every function', () => {
      for (const fn of FUNCTIONS) {
        expect(envOf(defaults, fn)).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'fireworks-error-triage',
          POWERTOOLS_METRICS_NAMESPACE: 'FireworksErrorTriage',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        });
      }
    });

    it.each<[Fn, string[]]>([
      [
        'Ingest',
        [
          'EVENTS_QUEUE_URL',
          'INCIDENT_QUIET_SECONDS',
          'TABLE_NAME',
          'TOKEN_CACHE_SECONDS',
          'URGENT_EVENTS_QUEUE_URL',
          'URGENT_STATUSES',
        ],
      ],
      ['Codes', []],
      ['Triage', ['ACCOUNT_TOPIC_ARN', 'POLICY_CONFIG', 'RUNBOOKS', 'SUPPORT_TOPIC_ARN', 'TABLE_NAME']],
      ['Sweep', ['ACCOUNT_TOPIC_ARN', 'POLICY_CONFIG', 'RUNBOOKS', 'SUPPORT_TOPIC_ARN', 'TABLE_NAME']],
      [
        'Logs',
        ['EVENTS_QUEUE_URL', 'LOG_COUNT', 'LOG_GROUP_COUNT', 'URGENT_EVENTS_QUEUE_URL', 'URGENT_STATUSES'],
      ],
      [
        'Oncall',
        [
          'ACCOUNT_TOPIC_ARN',
          'MAX_SILENCE_SECONDS',
          'POLICY_CONFIG',
          'RUNBOOKS',
          'SUPPORT_TOPIC_ARN',
          'TABLE_NAME',
          'TOKEN_CACHE_SECONDS',
        ],
      ],
    ])('wires %s with exactly the variables of its contract: %j', (fn, names) => {
      const specific = Object.keys(envOf(defaults, fn))
        .filter((name) => !name.startsWith('POWERTOOLS_') && name !== 'NODE_OPTIONS')
        .sort();
      expect(specific).toEqual(names);
    });

    it('passes configured values through the environment', () => {
      expect(JSON.parse(envOf(defaults, 'Triage').POLICY_CONFIG as string)).toEqual(DEFAULT_POLICY);
      expect(envOf(defaults, 'Ingest').TOKEN_CACHE_SECONDS).toBe('60');
      expect(envOf(defaults, 'Ingest').INCIDENT_QUIET_SECONDS).toBe(
        String(DEFAULT_POLICY.incidents.resolveAfterQuietSeconds),
      );
      expect(envOf(defaults, 'Logs').LOG_COUNT).toBe('default');
      expect(envOf(defaults, 'Logs').LOG_GROUP_COUNT).toBe('{}');
      expect(JSON.parse(envOf(full, 'Sweep').POLICY_CONFIG as string)).toEqual(
        parsePolicyConfig(FULL_CONTEXT.policy),
      );
      expect(envOf(full, 'Ingest').TOKEN_CACHE_SECONDS).toBe('30');
      expect(envOf(full, 'Logs').LOG_COUNT).toBe('llm');
      expect(JSON.parse(envOf(full, 'Logs').LOG_GROUP_COUNT as string)).toEqual({
        '/ecs/recommender': 'all',
      });
    });

    it('points the variables at the stack resources', () => {
      const table = ofType(defaults, 'AWS::DynamoDB::Table')[0]?.[0];
      expect(envOf(defaults, 'Triage').TABLE_NAME).toEqual({ Ref: table });
      expect(envOf(defaults, 'Ingest').EVENTS_QUEUE_URL).toEqual(envOf(defaults, 'Logs').EVENTS_QUEUE_URL);
      expect(envOf(defaults, 'Ingest').URGENT_EVENTS_QUEUE_URL).toEqual(
        envOf(defaults, 'Logs').URGENT_EVENTS_QUEUE_URL,
      );
      expect(envOf(defaults, 'Ingest').URGENT_EVENTS_QUEUE_URL).not.toEqual(
        envOf(defaults, 'Ingest').EVENTS_QUEUE_URL,
      );
      // The producers route the policy's immediate statuses to the urgent lane.
      expect(envOf(defaults, 'Ingest').URGENT_STATUSES).toBe(
        DEFAULT_POLICY.incidents.immediateStatuses.join(','),
      );
      expect(envOf(defaults, 'Sweep').SUPPORT_TOPIC_ARN).toEqual({
        Ref: expect.stringMatching(/^NotificationsSupportEscalations/),
      });
      expect(envOf(defaults, 'Triage').ACCOUNT_TOPIC_ARN).toEqual({
        Ref: expect.stringMatching(/^NotificationsAccountIssues/),
      });
      expect(envOf(defaults, 'Logs').EVENTS_QUEUE_URL).toEqual({
        Ref: expect.stringMatching(/^EventsQueue/),
      });
    });

    it('applies the configured memory sizes', () => {
      expect(functionProps(defaults, 'Ingest').MemorySize).toBe(512);
      expect(functionProps(defaults, 'Codes').MemorySize).toBe(256);
    });
  });

  describe('event pipeline', () => {
    it('feeds the triage function from two lanes in batches that report item failures', () => {
      defaults.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
      // Urgent lane: small batches at once; bulk lane: large batches over a 60 s window.
      for (const [size, window] of [
        [10, 1],
        [100, 60],
      ]) {
        defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: functionId(defaults, 'Triage') },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BatchSize: size,
          MaximumBatchingWindowInSeconds: window,
        });
      }
      full.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 50,
        MaximumBatchingWindowInSeconds: 5,
        ScalingConfig: { MaximumConcurrency: 7 },
      });
      full.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: Match.absent(),
      });
    });

    it('runs at most two bulk invocations at once by default (they all write the same hot scopes; the top of the measured curve, docs/scaling.md)', () => {
      defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 100,
        ScalingConfig: { MaximumConcurrency: 2 },
      });
      defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 10,
        ScalingConfig: Match.absent(),
      });
    });

    it('keeps messages invisible for six triage timeouts plus the lane batching window', () => {
      for (const visibility of [181, 240]) {
        defaults.hasResourceProperties('AWS::SQS::Queue', {
          VisibilityTimeout: visibility,
          RedrivePolicy: Match.anyValue(),
        });
      }
    });
  });

  describe('scope lane (scopeLane.enabled)', () => {
    let lane: Template;
    beforeAll(() => {
      lane = synthTemplate({ scopeLane: { enabled: true, maxConcurrency: 16, maxReceiveCount: 3 } });
    });

    it('is absent by default', () => {
      defaults.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 0);
      expect(envOf(defaults, 'Triage')).not.toHaveProperty('SCOPE_LANE_QUEUE_URL');
    });

    it('is a FIFO queue deduplicated and throttled per message group, encrypted, redriven to a FIFO DLQ', () => {
      lane.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        ContentBasedDeduplication: false,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        KmsMasterKeyId: Match.anyValue(),
        VisibilityTimeout: 180,
        RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: Match.anyValue() },
      });
      lane.resourcePropertiesCountIs(
        'AWS::SQS::Queue',
        { FifoQueue: true, KmsMasterKeyId: Match.anyValue() },
        2,
      );
    });

    it('feeds the triage function in batches of 10 at most 16 at once, and tells it where to forward the bulk lane', () => {
      lane.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
      lane.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionId(lane, 'Triage') },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: { MaximumConcurrency: 16 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const env = envOf(lane, 'Triage');
      expect(env).toHaveProperty('SCOPE_LANE_QUEUE_URL');
      const bulk = ofType(lane, 'AWS::SQS::Queue').find(
        ([, queue]) => queue.Properties.FifoQueue === undefined && queue.Properties.VisibilityTimeout === 240,
      );
      expect(env.BULK_QUEUE_ARN).toEqual({ 'Fn::GetAtt': [bulk?.[0], 'Arn'] });
    });

    it('lets the triage function send to it, and alarms on its age and its dead letters', () => {
      const sends = ofType(lane, 'AWS::IAM::Policy').flatMap(([, policy]) =>
        ((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement ?? []).filter(
          (statement) => statement.Action === 'sqs:SendMessage',
        ),
      );
      expect(sends.length).toBeGreaterThan(defaultsSends());
      lane.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 300,
        MetricName: 'ApproximateAgeOfOldestMessage',
        AlarmDescription: Match.stringLikeRegexp('scope lane'),
      });
      lane.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('ScopeLane dead-letter queue'),
      });
    });

    function defaultsSends(): number {
      return ofType(defaults, 'AWS::IAM::Policy').flatMap(([, policy]) =>
        ((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement ?? []).filter(
          (statement) => statement.Action === 'sqs:SendMessage',
        ),
      ).length;
    }
  });

  describe('log subscriptions', () => {
    it('creates no subscription filter when no log group is configured', () => {
      defaults.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    });

    it('subscribes each configured log group to the logs function with the filter pattern', () => {
      full.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
      for (const name of ['/aws/lambda/checkout', '/ecs/recommender']) {
        full.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
          LogGroupName: name,
          FilterPattern: '?ERROR ?"HTTP 5"',
          DestinationArn: { 'Fn::GetAtt': [functionId(full, 'Logs'), 'Arn'] },
        });
      }
      full.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [functionId(full, 'Logs'), 'Arn'] },
        Principal: 'logs.amazonaws.com',
      });
    });
  });

  describe('notification topics', () => {
    it('subscribes billing owners to account-issues with a filter policy on account', () => {
      full.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'billing@acme.test',
        TopicArn: { Ref: Match.stringLikeRegexp('AccountIssues') },
        FilterPolicy: { account: ['acme', 'globex'] },
      });
    });

    it('subscribes support endpoints to support-escalations, with their filter policy when given', () => {
      full.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@acme.test',
        TopicArn: { Ref: Match.stringLikeRegexp('SupportEscalations') },
        FilterPolicy: { severity: ['critical'] },
      });
      full.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: 'https://hooks.acme.test/sns',
        FilterPolicy: Match.absent(),
      });
    });

    it('creates no subscription by default', () => {
      defaults.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('ingest API', () => {
    it('routes /v1/events, /v1/incidents and /v1/silences[/{id}] (any method, the handlers answer 405) and GET /v1/codes', () => {
      defaults.resourceCountIs('AWS::ApiGatewayV2::Route', 6);
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'ANY /v1/incidents/{subjectId}/ack',
      });
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /v1/incidents' });
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /v1/silences' });
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /v1/silences/{id}' });
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /v1/events' });
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/codes' });
    });

    it('throttles the stage with the configured rate and burst, and writes access logs', () => {
      defaults.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      });
      full.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      });
    });
  });

  describe('monitoring', () => {
    it('sends alarms to a dedicated encrypted ops topic by default', () => {
      defaults.resourceCountIs('AWS::SNS::Topic', 3);
      const ops = ofType(defaults, 'AWS::SNS::Topic').find(([id]) =>
        id.startsWith('MonitoringOpsTopic'),
      )?.[0];
      defaults.allResourcesProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: ops }],
        OKActions: [{ Ref: ops }],
      });
    });

    it('says in every alarm what to do, not only what happened', () => {
      for (const [, alarm] of ofType(defaults, 'AWS::CloudWatch::Alarm')) {
        const description = String(alarm.Properties.AlarmDescription);
        // What happened, then what to do: at least two sentences.
        expect({ description, twoSentences: description.split(/[.:;] /).length > 1 }).toEqual({
          description,
          twoSentences: true,
        });
      }
    });

    it('sends alarms to the support topic, and subscribes the alarm e-mail there, when so configured', () => {
      full.resourceCountIs('AWS::SNS::Topic', 2);
      const support = ofType(full, 'AWS::SNS::Topic').find(([id]) => id.includes('SupportEscalations'))?.[0];
      full.allResourcesProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: support }],
        OKActions: [{ Ref: support }],
      });
      full.hasResourceProperties('AWS::SNS::Subscription', {
        Endpoint: 'ops@acme.test',
        TopicArn: { Ref: support },
      });
    });

    it('alarms on errors and throttles of every function, and on queue age', () => {
      for (const metric of ['Errors', 'Throttles']) {
        const alarms = ofType(defaults, 'AWS::CloudWatch::Alarm').filter(
          ([, a]) => a.Properties.MetricName === metric,
        );
        expect(alarms).toHaveLength(6);
      }
      // Urgent lane: a minute late means pages are late; bulk lane: five minutes beyond its 60 s window.
      for (const threshold of [60, 360]) {
        defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateAgeOfOldestMessage',
          Threshold: threshold,
        });
      }
    });

    it.each(['PublishFailures', 'NotificationsRejected', 'SweepFailures', 'InvalidQueueMessages'])(
      'alarms on the service metric %s',
      (metric) => {
        defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'FireworksErrorTriage',
          Threshold: 1,
        });
      },
    );

    it('lets CloudWatch publish alarms to the encrypted alarm topic', () => {
      defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
            }),
          ]),
        },
      });
      defaults.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          ]),
        },
      });
    });

    it('charts events by status, notifications by kind and queue age on a dashboard', () => {
      const body = JSON.stringify(
        ofType(defaults, 'AWS::CloudWatch::Dashboard')[0]?.[1].Properties.DashboardBody,
      );
      expect(body).toContain('MetricName=\\\\\\"EventsTriaged\\\\\\"');
      expect(body).toContain('MetricName=\\\\\\"NotificationsPublished\\\\\\"');
      expect(body).toContain('ApproximateAgeOfOldestMessage');
    });
  });

  describe('outputs', () => {
    it('exports the contract outputs by their fixed names', () => {
      expect(Object.keys(defaults.toJSON().Outputs).sort()).toEqual([
        'AccountIssuesTopicArn',
        'CodesUrl',
        'EventsQueueUrl',
        'IncidentsUrl',
        'Region',
        'StateTableName',
        'SupportEscalationsTopicArn',
        'UrgentEventsQueueUrl',
        'WebhookUrl',
      ]);
    });

    it('points the URLs at the routes', () => {
      expect(JSON.stringify(defaults.toJSON().Outputs.WebhookUrl.Value)).toContain('/v1/events');
      expect(JSON.stringify(defaults.toJSON().Outputs.CodesUrl.Value)).toContain('/v1/codes');
      expect(JSON.stringify(defaults.toJSON().Outputs.IncidentsUrl.Value)).toContain('/v1/incidents');
    });
  });

  describe('chat channels and PagerDuty', () => {
    const CONTEXT = {
      chat: {
        slack: [SLACK_ONCALL],
        teams: [TEAMS_BILLING],
      },
      pagerDuty: { secretName: 'triage/pagerduty', severities: ['critical'] },
    };
    let template: Template;
    beforeAll(() => {
      template = synthTemplate(CONTEXT);
    });
    const topicId = (name: string) =>
      ofType(template, 'AWS::SNS::Topic').find(([id]) => id.startsWith(`Notifications${name}`))?.[0];
    const forwarder = () =>
      ofType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('PagerDuty'));

    it('creates no chat channel and no forwarder by default', () => {
      expect(ofType(defaults, 'AWS::Chatbot::SlackChannelConfiguration')).toEqual([]);
      expect(ofType(defaults, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')).toEqual([]);
      expect(ofType(defaults, 'AWS::Lambda::Function')).toHaveLength(6);
    });

    it('creates a Slack and a Teams channel configuration on their topics, with the read-only role and guardrail', () => {
      const [, slack] = ofType(template, 'AWS::Chatbot::SlackChannelConfiguration')[0] ?? [];
      const [, teams] = ofType(template, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')[0] ?? [];
      const [guardrail] = ofType(template, 'AWS::IAM::ManagedPolicy')[0] ?? [];
      const [role] =
        ofType(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('ChatChannelRole')) ?? [];

      expect(slack?.Properties).toMatchObject({
        ConfigurationName: 'oncall',
        SlackWorkspaceId: 'T0123ABCD',
        SlackChannelId: 'C0123ABCD',
        SnsTopicArns: [{ Ref: topicId('SupportEscalations') }],
        GuardrailPolicies: [{ Ref: guardrail }],
        IamRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      });
      expect(teams?.Properties).toMatchObject({
        ConfigurationName: 'billing',
        TeamsChannelId: '19%3ab2c3d4%40thread.tacv2',
        SnsTopicArns: [{ Ref: topicId('AccountIssues') }],
        GuardrailPolicies: [{ Ref: guardrail }],
        IamRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      });
    });

    it('lets chat channels read CloudWatch alarms and metrics, and nothing else', () => {
      const [, guardrail] = ofType(template, 'AWS::IAM::ManagedPolicy')[0] ?? [];
      const statements = (must(guardrail).Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements.flatMap((st) => asList(st.Action)).sort()).toEqual([
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetMetricWidgetImage',
      ]);
      expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })],
        }),
        ManagedPolicyArns: [{ Ref: ofType(template, 'AWS::IAM::ManagedPolicy')[0]?.[0] }],
      });
    });

    it('gives the routing-key secret read grant to the forwarder and to no other role', () => {
      const readers = ofType(template, 'AWS::IAM::Policy').filter(([, policy]) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:'),
      );
      expect(readers).toHaveLength(1);
      const role = (must(forwarder())[1].Properties.Role as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      expect(readers[0]?.[1].Properties.Roles).toEqual([{ Ref: role }]);
      const statement = (
        must(readers[0])[1].Properties.PolicyDocument as { Statement: Statement[] }
      ).Statement.find((st) => asList(st.Action).includes('secretsmanager:GetSecretValue'));
      expect(JSON.stringify(statement?.Resource)).toContain(':secret:triage/pagerduty-??????');
    });

    it('passes the secret name, never a key, and the routing config to the forwarder', () => {
      const env = (must(forwarder())[1].Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env).toMatchObject({
        PAGERDUTY_SECRET_ID: 'triage/pagerduty',
        PAGERDUTY_EVENTS_URL: 'https://events.pagerduty.com/v2/enqueue',
        PAGERDUTY_ROUTING: JSON.stringify({ topics: ['support'], severities: ['critical'] }),
      });
      expect(Object.keys(env).filter((name) => /ROUTING_KEY|INTEGRATION_KEY/.test(name))).toEqual([]);
    });

    it('feeds the forwarder from an encrypted queue subscribed to its topics, with a DLQ and item failures', () => {
      const queues = ofType(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('PagerDuty'));
      const [queueId, queue] = queues.find(([id]) => id.startsWith('PagerDutyQueue')) ?? [];
      const [dlqId] = queues.find(([id]) => id.startsWith('PagerDutyDeadLetters')) ?? [];
      expect(queue?.Properties).toMatchObject({
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId(template), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: { Ref: topicId('SupportEscalations') },
        Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('lets the forwarder read and write only its own partition of the state table', () => {
      const role = (must(forwarder())[1].Properties.Role as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      const statements = ofType(template, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      const dynamo = statements.filter((st) => asList(st.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toEqual([
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['pagerduty#*'] } },
        }),
      ]);
    });

    it('alarms on the forwarder (errors, throttles, dead letters, rejected events), with OK actions too', () => {
      const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(
        ([id, alarm]) => [id, alarm.Properties] as const,
      );
      const names = alarms.map(([id]) => id);
      for (const name of [
        'pagerdutyErrors',
        'pagerdutyThrottles',
        'PagerDutyDeadLetters',
        'PagerDutyRejected',
      ])
        expect(names.some((id) => id.startsWith(`Monitoring${name}`))).toBe(true);
      for (const [, props] of alarms) expect(props.OKActions).toEqual(props.AlarmActions);
    });
  });

  describe('filtered chat channels', () => {
    const FILTER = { severity: ['critical'], kind: [{ 'anything-but': ['incident.reminder'] }] };
    const CONTEXT = {
      chat: {
        slack: [
          SLACK_ONCALL,
          {
            name: 'pager',
            slackWorkspaceId: 'T0123ABCD',
            slackChannelId: 'C0123PAGE',
            topics: ['support', 'account'],
            filterPolicy: FILTER,
          },
        ],
        teams: [{ ...TEAMS_BILLING, filterPolicy: { account: ['acme'] } }],
      },
    };
    let template: Template;
    beforeAll(() => {
      template = synthTemplate(CONTEXT);
    });
    const sourceTopic = (name: string) =>
      must(ofType(template, 'AWS::SNS::Topic').find(([id]) => id.startsWith(`Notifications${name}`)))[0];
    const channelId = (channel: string, kind: 'Topic' | 'Queue') =>
      must(
        ofType(template, kind === 'Topic' ? 'AWS::SNS::Topic' : 'AWS::SQS::Queue').find(([id]) =>
          id.startsWith(`ChatRelayChannel${channel}${kind}`),
        ),
      )[0];
    const relay = () =>
      must(ofType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ChatRelay')));
    const relayStatements = () => {
      const role = (relay()[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      return ofType(template, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    };

    it('creates no relay, no channel topic, when no channel has a filter policy', () => {
      const unfiltered = synthTemplate({
        chat: { slack: [SLACK_ONCALL] },
      });
      expect(
        ofType(unfiltered, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ChatRelay')),
      ).toEqual([]);
      expect(ofType(unfiltered, 'AWS::SNS::Topic')).toHaveLength(3);
    });

    it('gives each filtered channel an encrypted, TLS-only topic of its own', () => {
      for (const channel of ['pager', 'billing']) {
        const topic = resources(template)[channelId(channel, 'Topic')];
        expect(topic?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId(template), 'Arn'] });
        template.hasResourceProperties('AWS::SNS::TopicPolicy', {
          Topics: [{ Ref: channelId(channel, 'Topic') }],
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          }),
        });
      }
    });

    it('points the channel configuration of a filtered channel at its own topic, the others at the source topics', () => {
      const configurations = [
        ...ofType(template, 'AWS::Chatbot::SlackChannelConfiguration'),
        ...ofType(template, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration'),
      ].map(([, r]) => [r.Properties.ConfigurationName, r.Properties.SnsTopicArns] as const);
      expect(Object.fromEntries(configurations)).toEqual({
        oncall: [{ Ref: sourceTopic('SupportEscalations') }],
        pager: [{ Ref: channelId('pager', 'Topic') }],
        billing: [{ Ref: channelId('billing', 'Topic') }],
      });
    });

    it("subscribes each filtered channel's encrypted queue to its source topics with exactly its filter policy, envelope on", () => {
      const subscriptions = ofType(template, 'AWS::SNS::Subscription')
        .map(([, r]) => r.Properties)
        .filter((p) => JSON.stringify(p.Endpoint).includes('ChatRelayChannel'));
      expect(subscriptions).toHaveLength(3);
      const pagerQueue = { 'Fn::GetAtt': [channelId('pager', 'Queue'), 'Arn'] };
      const billingQueue = { 'Fn::GetAtt': [channelId('billing', 'Queue'), 'Arn'] };
      expect(subscriptions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Protocol: 'sqs',
            TopicArn: { Ref: sourceTopic('SupportEscalations') },
            Endpoint: pagerQueue,
            FilterPolicy: FILTER,
          }),
          expect.objectContaining({
            TopicArn: { Ref: sourceTopic('AccountIssues') },
            Endpoint: pagerQueue,
            FilterPolicy: FILTER,
          }),
          expect.objectContaining({
            TopicArn: { Ref: sourceTopic('AccountIssues') },
            Endpoint: billingQueue,
            FilterPolicy: { account: ['acme'] },
          }),
        ]),
      );
      for (const subscription of subscriptions) expect(subscription.RawMessageDelivery).toBeUndefined();
      const [dlq] = must(
        ofType(template, 'AWS::SQS::Queue').find(([id]) => id.startsWith('ChatRelayDeadLetters')),
      );
      for (const channel of ['pager', 'billing']) {
        expect(resources(template)[channelId(channel, 'Queue')]?.Properties).toMatchObject({
          KmsMasterKeyId: { 'Fn::GetAtt': [keyId(template), 'Arn'] },
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
        });
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [channelId(channel, 'Queue'), 'Arn'] },
          FunctionName: { Ref: relay()[0] },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
      // Only SNS, and only from the channel's own source topics, may send to a channel queue.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: channelId('billing', 'Queue') }],
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: sourceTopic('AccountIssues') } } },
            }),
          ]),
        }),
      });
    });

    it('names each channel queue and topic in the relay environment, one ARN a variable', () => {
      const env = (relay()[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        CHAT_CHANNEL_0_NAME: 'pager',
        CHAT_CHANNEL_0_QUEUE_ARN: { 'Fn::GetAtt': [channelId('pager', 'Queue'), 'Arn'] },
        CHAT_CHANNEL_0_TOPIC_ARN: { Ref: channelId('pager', 'Topic') },
        CHAT_CHANNEL_1_NAME: 'billing',
        CHAT_CHANNEL_1_QUEUE_ARN: { 'Fn::GetAtt': [channelId('billing', 'Queue'), 'Arn'] },
        CHAT_CHANNEL_1_TOPIC_ARN: { Ref: channelId('billing', 'Topic') },
      });
      expect(Object.keys(env).filter((name) => name.startsWith('CHAT_CHANNEL_2'))).toEqual([]);
    });

    it('lets the relay consume the channel queues, publish to the channel topics and keep its delivery records, nothing else', () => {
      // Every (action, resource) pair of the relay's role but its own log group and the key.
      const pairs = relayStatements()
        .flatMap((st) =>
          asList(st.Action).flatMap((a) => asList(st.Resource).map((r) => `${a} ${JSON.stringify(r)}`)),
        )
        .filter((pair) => !pair.startsWith('logs:') && !pair.startsWith('kms:'))
        .sort();
      const queue = (channel: string) =>
        JSON.stringify({ 'Fn::GetAtt': [channelId(channel, 'Queue'), 'Arn'] });
      const topic = (channel: string) => JSON.stringify({ Ref: channelId(channel, 'Topic') });
      expect(pairs).toEqual(
        [
          ...['pager', 'billing'].flatMap((channel) => [
            `sns:Publish ${topic(channel)}`,
            `sqs:DeleteMessage ${queue(channel)}`,
            `sqs:GetQueueAttributes ${queue(channel)}`,
            `sqs:ReceiveMessage ${queue(channel)}`,
          ]),
          ...['GetItem', 'PutItem'].map(
            (action) =>
              `dynamodb:${action} ${JSON.stringify({ 'Fn::GetAtt': ['StateTable962DE04C', 'Arn'] })}`,
          ),
        ].sort(),
      );
      // Only its own partition of the table: what each channel already got.
      const table = relayStatements().filter((st) =>
        asList(st.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(table.map((st) => st.Condition)).toEqual([
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['chat#*'] } },
      ]);
      const kms = relayStatements().filter((st) => asList(st.Action).some((a) => a.startsWith('kms:')));
      expect(kms.flatMap((st) => asList(st.Resource))).toEqual(
        kms.map(() => ({ 'Fn::GetAtt': [keyId(template), 'Arn'] })),
      );
    });

    it('alarms on the relay (errors, throttles, dead letters)', () => {
      const names = ofType(template, 'AWS::CloudWatch::Alarm').map(([id]) => id);
      for (const name of ['chatRelayErrors', 'chatRelayThrottles', 'ChatRelayDeadLetters'])
        expect(names.some((id) => id.startsWith(`Monitoring${name}`))).toBe(true);
    });
  });
});
