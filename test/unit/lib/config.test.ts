import { ConfigError } from '../../../functions/core/errors';
import { DEFAULT_POLICY } from '../../../functions/core/policy';
import { DEFAULT_LOG_FILTER_PATTERN, MAX_POLICY_JSON_BYTES, parseConfig } from '../../../lib/config';

function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    parseConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills every documented default when the context is empty', () => {
    expect(parseConfig({})).toEqual({
      policy: DEFAULT_POLICY,
      logGroups: [],
      logCount: 'default',
      logFilterPattern: DEFAULT_LOG_FILTER_PATTERN,
      runbooks: {},
      chat: { slack: [], teams: [] },
      supportSubscriptions: [],
      billingOwners: [],
      throttling: { rateLimit: 50, burstLimit: 100 },
      tokenCacheSeconds: 60,
      maxSilenceSeconds: 604_800,
      logRetentionDays: 30,
      alarmTopic: 'ops',
      urgentBatch: { batchSize: 10, maxBatchingWindowSeconds: 1, maxReceiveCount: 5 },
      bulkBatch: { batchSize: 100, maxBatchingWindowSeconds: 60, maxReceiveCount: 5, maxConcurrency: 2 },
      scopeLane: { enabled: false, maxConcurrency: 10, maxReceiveCount: 5 },
      memorySize: { ingest: 512, codes: 256, triage: 512, sweep: 512, logs: 512, oncall: 256 },
    });
  });

  it('keeps given values and defaults the missing keys of a partial object', () => {
    const config = parseConfig({ throttling: { burstLimit: 20 }, memorySize: { triage: 1024 } });
    expect(config.throttling).toEqual({ rateLimit: 50, burstLimit: 20 });
    expect(config.memorySize.triage).toBe(1024);
    expect(config.memorySize.ingest).toBe(512);
  });

  it('reads JSON text, as `cdk synth -c key=value` passes it, for non-string keys', () => {
    const config = parseConfig({
      tokenCacheSeconds: '30',
      logGroups: '["/aws/lambda/checkout"]',
      logFilterPattern: '?ERROR',
    });
    expect(config.tokenCacheSeconds).toBe(30);
    expect(config.logGroups).toEqual([{ name: '/aws/lambda/checkout', count: 'default' }]);
    expect(config.logFilterPattern).toBe('?ERROR');
  });

  it('reads each log group with the errors it counts: its own count, else logCount', () => {
    const config = parseConfig({
      logCount: 'llm',
      logGroups: ['/aws/lambda/a', { name: '/aws/lambda/b', count: 'all' }, { name: '/ecs/c' }],
    });
    expect(config.logGroups).toEqual([
      { name: '/aws/lambda/a', count: 'llm' },
      { name: '/aws/lambda/b', count: 'all' },
      { name: '/ecs/c', count: 'llm' },
    ]);
  });

  it('names what is wrong with a log group, and says what replaced includeNonFireworks', () => {
    expect(errorOf({ logGroups: [{ name: '/a', count: 'some' }] }).message).toMatch(/logGroups\[0\]/);
    expect(errorOf({ logGroups: ['/a', { name: '/a' }] }).message).toMatch(/duplicate log group "\/a"/);
    expect(errorOf({ includeNonFireworks: true }).message).toMatch(/replaced by logCount/);
  });

  it('takes runbook URLs by status, by route and by default, and names a bad one', () => {
    const runbooks = {
      default: 'https://wiki.acme.test/triage',
      byStatus: { '429': 'https://wiki.acme.test/rate-limits' },
      byRoute: { account: 'https://wiki.acme.test/billing' },
    };
    expect(parseConfig({ runbooks }).runbooks).toEqual(runbooks);
    expect(errorOf({ runbooks: { byStatus: { '5xx': 'https://x.test' } } }).message).toMatch(/runbooks/);
    expect(errorOf({ runbooks: { default: 'javascript:alert(1)' } }).message).toMatch(/http\(s\) URL/);
    expect(errorOf({ runbooks: { byRoute: { billing: 'https://x.test' } } }).message).toMatch(/runbooks/);
  });

  it('takes Slack and Teams channels, each with its topics (support by default), and names a bad id', () => {
    const chat = parseConfig({
      chat: {
        slack: [{ name: 'oncall', slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' }],
        teams: [
          {
            name: 'billing',
            teamId: '6f2b0c1e-0000-4000-8000-00000000abcd',
            teamsChannelId: '19%3ab2c3d4e5f6%40thread.tacv2',
            teamsTenantId: '1d2c3b4a-0000-4000-8000-00000000abcd',
            topics: ['account'],
          },
        ],
      },
    }).chat;
    expect(chat.slack[0]).toEqual({
      name: 'oncall',
      slackWorkspaceId: 'T0123ABCD',
      slackChannelId: 'C0123ABCD',
      topics: ['support'],
    });
    expect(chat.teams[0]?.topics).toEqual(['account']);
    expect(
      errorOf({ chat: { slack: [{ name: 'x', slackWorkspaceId: 'workspace one', slackChannelId: 'C1' }] } })
        .message,
    ).toMatch(/chat\.slack\[0\]\.slackWorkspaceId.*Slack workspace id/);
    expect(errorOf({ chat: { teams: [{ name: 'x', teamId: 'nope' }] } }).message).toMatch(/chat\.teams\[0\]/);
    expect(errorOf({ chat: { discord: [] } }).message).toMatch(/unknown key "discord"/);
  });

  describe('a chat channel filterPolicy', () => {
    const slack = (filterPolicy: unknown) => ({
      chat: {
        slack: [{ name: 'oncall', slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD', filterPolicy }],
      },
    });
    const teams = (filterPolicy: unknown) => ({
      chat: {
        teams: [
          {
            name: 'billing',
            teamId: '6f2b0c1e-0000-4000-8000-00000000abcd',
            teamsChannelId: '19%3ab2c3d4e5f6%40thread.tacv2',
            teamsTenantId: '1d2c3b4a-0000-4000-8000-00000000abcd',
            filterPolicy,
          },
        ],
      },
    });

    it('is kept as written on Slack and Teams channels, and absent when not given', () => {
      const policy = { severity: ['critical'], kind: [{ 'anything-but': ['incident.reminder'] }] };
      expect(parseConfig(slack(policy)).chat.slack[0]?.filterPolicy).toEqual(policy);
      expect(parseConfig(teams({ status: [{ prefix: '5' }] })).chat.teams[0]?.filterPolicy).toEqual({
        status: [{ prefix: '5' }],
      });
      expect(parseConfig(slack(undefined)).chat.slack[0]?.filterPolicy).toBeUndefined();
    });

    it.each([
      [
        slack(['severity']),
        'Invalid context "chat.slack[0].filterPolicy": expected an SNS filter policy object',
      ],
      [
        slack('severity=critical'),
        'Invalid context "chat.slack[0].filterPolicy": expected an SNS filter policy object',
      ],
      [
        slack({ severity: 'critical' }),
        'Invalid context "chat.slack[0].filterPolicy.severity": expected a non-empty array of conditions',
      ],
      [
        teams({ severity: [] }),
        'Invalid context "chat.teams[0].filterPolicy.severity": expected a non-empty array of conditions',
      ],
      [
        teams({ region: ['eu'] }),
        'Invalid context "chat.teams[0].filterPolicy.region": not a message attribute; expected one of kind, severity, status, account, model, app',
      ],
      [
        slack({ kind: ['a'], severity: ['b'], status: ['c'], account: ['d'], model: ['e'], app: ['f'] }),
        'Invalid context "chat.slack[0].filterPolicy": expected at most 5 attribute names (an SNS limit), got 6',
      ],
    ])('refuses %j with a specific error', (context, message) => {
      expect(errorOf(context).message).toContain(message);
    });

    it('is offered to at most 15 channels (the relay names each in its environment)', () => {
      const channels = (n: number) =>
        Array.from({ length: n }, (_, i) => ({
          name: `c${i}`,
          slackWorkspaceId: 'T0123ABCD',
          slackChannelId: `C${i}`,
          filterPolicy: { severity: ['critical'] },
        }));
      expect(parseConfig({ chat: { slack: channels(15) } }).chat.slack).toHaveLength(15);
      expect(errorOf({ chat: { slack: channels(16) } }).message).toContain(
        'expected at most 15 channels with a filterPolicy, got 16',
      );
    });
  });

  it('takes a PagerDuty secret name with topics, severities and URL defaults, and refuses the key itself', () => {
    expect(parseConfig({ pagerDuty: { secretName: 'triage/pagerduty' } }).pagerDuty).toEqual({
      secretName: 'triage/pagerduty',
      topics: ['support'],
      severities: ['critical', 'high'],
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
    });
    expect(errorOf({ pagerDuty: { secretName: 'a'.repeat(32) } }).message).toMatch(
      /looks like a routing key/,
    );
    expect(errorOf({ pagerDuty: { secretName: 's', severities: ['urgent'] } }).message).toMatch(
      /pagerDuty\.severities\[0\]/,
    );
    expect(errorOf({ pagerDuty: { secretName: 's', routingKey: 'x' } }).message).toMatch(/unknown key/);
    expect(errorOf({ pagerDuty: { secretName: 's', eventsUrl: 'http://insecure.test' } }).message).toMatch(
      /https/,
    );
  });

  it('ignores context keys it does not own (CDK feature flags)', () => {
    expect(parseConfig({ '@aws-cdk/core:target-partitions': ['aws'] }).logGroups).toEqual([]);
  });

  it('returns a deeply frozen object', () => {
    const config = parseConfig({
      billingOwners: [{ protocol: 'email', endpoint: 'b@acme.test', accounts: ['acme'] }],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.billingOwners[0]?.accounts)).toBe(true);
  });

  it.each([
    [
      { billingOwners: [{ protocol: 'email', endpoint: 'b@acme.test', accounts: [] }] },
      'Invalid context "billingOwners[0].accounts": expected a non-empty array of account names',
    ],
    [
      { billingOwners: [{ protocol: 'email', endpoint: 'b@acme.test' }] },
      'Invalid context "billingOwners[0].accounts": expected a non-empty array of account names',
    ],
    [{ throttling: { rateLimt: 5 } }, 'Invalid context "throttling": unknown key "rateLimt"'],
    [
      { throttling: { rateLimit: 0 } },
      'Invalid context "throttling.rateLimit": expected an integer from 1 to 10000',
    ],
    [
      { supportSubscriptions: [{ protocol: 'https', endpoint: 'http://hooks.example.com' }] },
      'Invalid context "supportSubscriptions[0].endpoint": expected an https:// URL for protocol "https"',
    ],
    [
      { supportSubscriptions: [{ protocol: 'fax', endpoint: '+14155550100' }] },
      'Invalid context "supportSubscriptions[0].protocol": expected one of email, https, sqs, lambda, sms',
    ],
    [
      {
        supportSubscriptions: [
          { protocol: 'email', endpoint: 'oncall@acme.test', filterPolicy: { sevrity: ['critical'] } },
        ],
      },
      'Invalid context "supportSubscriptions[0].filterPolicy.sevrity": not a message attribute; expected one of kind, severity, status, account, model, app',
    ],
    [
      {
        supportSubscriptions: [
          { protocol: 'email', endpoint: 'oncall@acme.test', filterPolicy: { kind: 'x' } },
        ],
      },
      'Invalid context "supportSubscriptions[0].filterPolicy.kind": expected a non-empty array of conditions',
    ],
    [{ logRetentionDays: 31 }, 'Invalid context "logRetentionDays": expected one of 1, 3, 5, 7, 14, 30,'],
    [{ logGroups: ['ok', 'bad name!'] }, 'Invalid context "logGroups[1]": expected a log group name'],
    [{ logGroups: ['/a', '/a'] }, 'Invalid context "logGroups[1]": duplicate log group "/a"'],
    [{ alarmTopic: 'pager' }, 'Invalid context "alarmTopic": expected "ops" or "support"'],
    [{ alarmEmail: 'not-an-address' }, 'Invalid context "alarmEmail": expected an e-mail address'],
    [
      { tokenCacheSeconds: 'soon' },
      'Invalid context "tokenCacheSeconds": expected an integer from 0 to 3600',
    ],
    [
      { bulkBatch: { batchSize: 100, maxBatchingWindowSeconds: 0 } },
      'Invalid context "bulkBatch.maxBatchingWindowSeconds": expected at least 1 when batchSize is above 10',
    ],
    [
      { triageBatch: { batchSize: 10 } },
      'Invalid context "triageBatch": replaced by urgentBatch (500s that page at once) and bulkBatch',
    ],
    [
      { bulkBatch: { maxConcurrency: 1 } },
      'Invalid context "bulkBatch.maxConcurrency": expected an integer from 2 to 1000',
    ],
    [{ scopeLane: { enabled: 'yes' } }, 'Invalid context "scopeLane.enabled": expected true or false'],
    [
      { scopeLane: { enabled: true, maxConcurrency: 1 } },
      'Invalid context "scopeLane.maxConcurrency": expected an integer from 2 to 1000',
    ],
    [{ scopeLane: { enabled: true, batchSize: 10 } }, 'Invalid context "scopeLane"'],
    [
      { urgentBatch: { batchSize: 11, maxBatchingWindowSeconds: 0 } },
      'Invalid context "urgentBatch.maxBatchingWindowSeconds": expected at least 1 when batchSize is above 10',
    ],
    [
      { memorySize: { sweep: 64 } },
      'Invalid context "memorySize.sweep": expected an integer from 128 to 10240',
    ],
    [{ policy: [] }, 'Invalid context "policy": expected an object'],
    [{ policy: { persistance: {} } }, 'Invalid context "policy.persistance": unknown key'],
    [
      { policy: { incidents: { persistence: { minErrors: 0 } } } },
      'Invalid context "policy.incidents.persistence.minErrors": expected an integer ≥ 1',
    ],
  ])('rejects %j naming the key', (context, message) => {
    expect(errorOf(context).message).toContain(message);
  });

  it('validates the policy with the engine and fills its defaults', () => {
    const config = parseConfig({ policy: '{"incidents":{"persistence":{"minErrors":3}}}' });
    expect(config.policy.incidents.persistence).toEqual({
      ...DEFAULT_POLICY.incidents.persistence,
      minErrors: 3,
    });
    expect(config.policy.accountIssues).toEqual(DEFAULT_POLICY.accountIssues);
  });

  it('rejects a policy too large for a Lambda environment variable', () => {
    const silences = Array.from({ length: 40 }, (_, i) => ({
      id: `maintenance-${i}`,
      startsAt: '2026-11-25T15:00:00Z',
      endsAt: '2026-11-25T16:00:00Z',
      models: [`accounts/acme/models/model-with-a-rather-long-name-${i}`],
    }));
    expect(errorOf({ policy: { silences } }).message).toMatch(
      new RegExp(`^Invalid context "policy": expected at most ${MAX_POLICY_JSON_BYTES} bytes`),
    );
  });

  it('reports every invalid key at once, one line each, with structured details', () => {
    const error = errorOf({ tokenCacheSeconds: -1, logRetentionDays: 2, policy: { clockSkewSeconds: -1 } });
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.details.map((d) => d.path)).toEqual([
      'policy.clockSkewSeconds',
      'tokenCacheSeconds',
      'logRetentionDays',
    ]);
  });

  it('accepts each protocol with its own endpoint shape', () => {
    const config = parseConfig({
      supportSubscriptions: [
        { protocol: 'email', endpoint: 'oncall@acme.test', filterPolicy: { severity: ['critical'] } },
        { protocol: 'https', endpoint: 'https://hooks.example.com/sns' },
        { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:123456789012:support-inbox' },
        { protocol: 'lambda', endpoint: 'arn:aws:lambda:eu-west-1:123456789012:function:chat-relay' },
        { protocol: 'sms', endpoint: '+14155550100' },
      ],
    });
    expect(config.supportSubscriptions.map((s) => s.protocol)).toEqual([
      'email',
      'https',
      'sqs',
      'lambda',
      'sms',
    ]);
  });
});
