import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { Notifier } from '../../../functions/adapters/notifier';
import { DEFAULT_POLICY } from '../../../functions/core/policy';
import { runbookUrl } from '../../../functions/core/runbooks';
import { runbooksFromEnv } from '../../../functions/triage/wiring';
import { event, PolicyStore, SEC } from './policy/policy-harness';

const RUNBOOKS = {
  default: 'https://wiki.acme.test/triage',
  byStatus: { '500': 'https://wiki.acme.test/fireworks-500' },
  byRoute: { account: 'https://wiki.acme.test/billing' },
};

describe('runbookUrl', () => {
  it('takes the status first, then the route, then the default', () => {
    expect(runbookUrl(RUNBOOKS, { status: 500, topic: 'support' })).toBe(RUNBOOKS.byStatus['500']);
    expect(runbookUrl(RUNBOOKS, { status: 402, topic: 'account' })).toBe(RUNBOOKS.byRoute.account);
    expect(runbookUrl(RUNBOOKS, { status: 503, topic: 'support' })).toBe(RUNBOOKS.default);
    expect(runbookUrl({}, { status: 503, topic: 'support' })).toBeUndefined();
  });
});

describe('runbooks in published notifications', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it('carry runbookUrl in the JSON and a Runbook line in the e-mail text', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const [intent] = new PolicyStore(DEFAULT_POLICY).apply([event(500, 0)], SEC);
    const notifier = new Notifier({
      topicArns: { support: 'arn:aws:sns:us-east-1:1:support', account: 'arn:aws:sns:us-east-1:1:account' },
      snsClient: new SNSClient({ region: 'us-east-1' }),
      runbooks: RUNBOOKS,
    });
    await notifier.publish(intent as NonNullable<typeof intent>);
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message as string);
    expect(JSON.parse(message.default).runbookUrl).toBe(RUNBOOKS.byStatus['500']);
    expect(message.email).toContain(`Runbook:        ${RUNBOOKS.byStatus['500']}`);
  });

  it('read from RUNBOOKS at cold start, refusing what is not runbook URLs', () => {
    expect(runbooksFromEnv({ RUNBOOKS: JSON.stringify(RUNBOOKS) })).toEqual(RUNBOOKS);
    expect(runbooksFromEnv({})).toEqual({});
    expect(() => runbooksFromEnv({ RUNBOOKS: '{"default": "ftp://x"}' })).toThrow(/RUNBOOKS is invalid/);
    expect(() => runbooksFromEnv({ RUNBOOKS: 'nope' })).toThrow(/RUNBOOKS is not JSON/);
  });
});
