import { ConfigError } from '../../../functions/core/errors';
import { DEFAULT_POLICY } from '../../../functions/core/policy';
import { readPolicyConfig } from '../../../functions/triage/wiring';

const ENV = {
  TABLE_NAME: 'state-table',
  SUPPORT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:support-escalations',
  ACCOUNT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:account-issues',
  POLICY_CONFIG: '{}',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

describe('triage and sweep handler modules', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    ['triage', 'TABLE_NAME'],
    ['triage', 'SUPPORT_TOPIC_ARN'],
    ['sweep', 'ACCOUNT_TOPIC_ARN'],
    ['sweep', 'POLICY_CONFIG'],
  ])('%s fails at cold start naming a missing %s', (name, variable) => {
    process.env = { ...saved, ...ENV, [variable]: '' };
    jest.isolateModules(() => {
      expect(() => require(`../../../functions/${name}/handler`)).toThrow(
        `Missing required environment variable ${variable}`,
      );
    });
  });

  it.each(['triage', 'sweep'])('%s loads with a complete environment', (name) => {
    process.env = { ...saved, ...ENV };
    jest.isolateModules(() => {
      expect(typeof require(`../../../functions/${name}/handler`).handler).toBe('function');
    });
  });
});

describe('readPolicyConfig', () => {
  it('reads "{}" as the default policy', () => {
    expect(readPolicyConfig({ POLICY_CONFIG: '{}' })).toEqual(DEFAULT_POLICY);
  });

  it('applies the configured thresholds', () => {
    const config = readPolicyConfig({ POLICY_CONFIG: '{"accountIssues":{"groupWaitSeconds":5}}' });
    expect(config.accountIssues.groupWaitSeconds).toBe(5);
  });

  it('rejects text that is not JSON with a ConfigError naming the variable', () => {
    expect(() => readPolicyConfig({ POLICY_CONFIG: '{groupWait: 5' })).toThrow(ConfigError);
    expect(() => readPolicyConfig({ POLICY_CONFIG: '{groupWait: 5' })).toThrow(/POLICY_CONFIG is not JSON/);
  });

  it('rejects a policy that does not match the schema', () => {
    expect(() =>
      readPolicyConfig({ POLICY_CONFIG: '{"accountIssues":{"groupWaitSeconds":"soon"}}' }),
    ).toThrow(ConfigError);
  });
});
