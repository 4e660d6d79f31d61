import { type CfnTemplate, validateTemplate } from '../../helpers/cfn-validate';
import { buildTestApp, SLACK_ONCALL, TEAMS_BILLING } from './synth';

/** Everything config can switch on: subscriptions of each kind, log groups, alarm e-mail, lane settings, chat channels, PagerDuty. */
const FULL_CONTEXT = {
  logGroups: ['/aws/lambda/checkout', { name: '/ecs/recommender', count: 'all' }],
  supportSubscriptions: [
    { protocol: 'email', endpoint: 'oncall@acme.test', filterPolicy: { severity: ['critical'] } },
    { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:123456789012:support-inbox' },
    { protocol: 'https', endpoint: 'https://hooks.acme.test/sns' },
  ],
  billingOwners: [{ protocol: 'email', endpoint: 'billing@acme.test', accounts: ['acme', 'globex'] }],
  alarmTopic: 'support',
  alarmEmail: 'ops@acme.test',
  bulkBatch: { batchSize: 50, maxBatchingWindowSeconds: 5, maxReceiveCount: 4, maxConcurrency: 7 },
  chat: {
    slack: [SLACK_ONCALL],
    teams: [
      {
        // A filtered channel: its own topic, fed by the chat relay.
        ...TEAMS_BILLING,
        filterPolicy: { account: ['acme'] },
      },
    ],
  },
  pagerDuty: { secretName: 'triage/pagerduty', severities: ['critical'] },
  scopeLane: { enabled: true, maxConcurrency: 20 },
};

function template(context: Record<string, unknown> = {}): CfnTemplate {
  const { app, stack } = buildTestApp(context);
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

describe('the template against the CloudFormation resource specification (offline)', () => {
  it.each([
    ['the defaults', {}],
    ['every optional resource', FULL_CONTEXT],
  ])(
    'has no error and no warning with %s',
    (_, context) => {
      expect(validateTemplate(template(context))).toEqual([]);
    },
    60_000,
  );

  it('finds what CloudFormation would refuse: unknown type, property, attribute and target, wrong type, missing required', () => {
    const findings = validateTemplate({
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon', Colour: 'blue' } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Role: { 'Fn::GetAtt': ['Queue', 'Owner'] },
            Code: { ZipFile: 'x' },
            LoggingConfig: { LogFormat: 'XML' },
            Environment: { Variables: { URL: { Ref: 'Nowhere' } } },
          },
          DependsOn: ['Ghost'],
        },
        Thing: { Type: 'AWS::Nope::Thing', Properties: {} },
        Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { BatchSize: 10 } },
      },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal
      Outputs: { Url: { Value: { 'Fn::Sub': '${Queue.Nope}/${Missing}' } } },
    }).map((f) => `${f.level} ${f.path}: ${f.message.replace(/ \((known|it has):.*\)$/, '')}`);
    expect(findings).toEqual(
      expect.arrayContaining([
        'error Resources.Queue.Properties.VisibilityTimeout: expected a number, got "soon"',
        'error Resources.Queue.Properties.Colour: unknown property',
        'error Resources.Fn.Properties.Role: AWS::SQS::Queue has no attribute Owner',
        'error Resources.Fn.Properties.LoggingConfig.LogFormat: "XML" is not one of Text, JSON',
        'error Resources.Fn.Properties.Environment.Variables.URL: Ref to Nowhere, which is neither a resource, a parameter nor a pseudo parameter',
        'error Resources.Fn.DependsOn: Ghost is not a resource',
        'error Resources.Thing.Type: AWS::Nope::Thing is not a CloudFormation resource type',
        'error Resources.Mapping.Properties: required property FunctionName is missing',
        'error Outputs.Url.Value: AWS::SQS::Queue has no attribute Nope',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal
        'error Outputs.Url.Value: Fn::Sub names ${Missing}, which is neither a resource, a parameter nor a pseudo parameter',
      ]),
    );
  });
});
