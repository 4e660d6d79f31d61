import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildTestApp, SLACK_ONCALL, TEAMS_BILLING } from './synth';

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: { ruleName: string; acknowledgedAt: string; reason: string }[];
  }[];
}

function synthReport(context: Record<string, unknown> = {}): Report {
  const { app } = buildTestApp(context);
  const assembly = app.synth();
  return JSON.parse(
    fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as Report;
}

const FULL_CONTEXT = {
  logGroups: ['/aws/lambda/checkout'],
  supportSubscriptions: [{ protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:123456789012:support-inbox' }],
  billingOwners: [{ protocol: 'email', endpoint: 'billing@acme.test', accounts: ['acme'] }],
  alarmEmail: 'ops@acme.test',
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
  pagerDuty: { secretName: 'triage/pagerduty' },
  scopeLane: { enabled: true },
};

describe('cdk-nag AwsSolutions checks', () => {
  // Two synths with the plugin; the stack tests synthesize through it too.
  let defaults: Report;
  let full: Report;
  beforeAll(() => {
    defaults = synthReport();
    full = synthReport(FULL_CONTEXT);
  });

  it('passes with no unacknowledged finding, with defaults and with every optional resource configured', () => {
    for (const report of [defaults, full]) {
      expect(report.pluginReports).toHaveLength(1);
      expect(report.pluginReports[0]).toMatchObject({
        pluginName: 'AwsSolutions',
        conclusion: 'success',
        violations: [],
      });
    }
  });

  it('acknowledges only the reviewed findings, each on its own construct with a reason', () => {
    const acknowledged = full.pluginReports[0]?.suppressedViolations ?? [];
    expect(acknowledged.map((a) => `${a.ruleName} @ ${a.acknowledgedAt}`).sort()).toEqual([
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/ANY--v1--events',
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/ANY--v1--incidents',
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/ANY--v1--incidents--{subjectId}--ack',
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/ANY--v1--silences',
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/ANY--v1--silences--{id}',
      'AwsSolutions-APIG4 @ FireworksErrorTriage/Api/Api/GET--v1--codes',
      'AwsSolutions-IAM5[Resource::*] @ FireworksErrorTriage/Chat/Guardrail',
      'AwsSolutions-SQS3 @ FireworksErrorTriage/LogSubscriptions/DeadLetterQueue',
      'AwsSolutions-SQS3 @ FireworksErrorTriage/Sweep/DeadLetterQueue',
    ]);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  it('fails the synth on a new unacknowledged finding', () => {
    const { app, stack } = buildTestApp();
    new sqs.Queue(stack, 'PlainQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
