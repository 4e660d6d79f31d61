import { buildFilterPolicy, notificationJson, queuePolicy, tailOptions } from '../../../cli/commands/tail';
import { main } from '../../../cli/main';
import { captureIo } from '../../helpers/cli-dynalite';

describe('cli/commands/tail', () => {
  describe('buildFilterPolicy', () => {
    it('asks for no filter when no filter flag is given', () => {
      expect(buildFilterPolicy({}, 'account')).toBeUndefined();
    });

    it('ORs the values of one flag and ANDs different flags', () => {
      expect(
        buildFilterPolicy(
          { account: ['acme', 'globex', 'acme'], kind: ['account-issue.opened'], severity: ['high'] },
          'account',
        ),
      ).toEqual({ account: ['acme', 'globex'], kind: ['account-issue.opened'], severity: ['high'] });
    });

    it('matches status as text (the attribute is a String), and a class by prefix', () => {
      expect(buildFilterPolicy({ status: ['503', '5xx'] }, 'support')).toEqual({
        status: ['503', { prefix: '5' }],
      });
    });

    it.each(['5000', 'abc', '99', '6xx', ''])('rejects --status "%s"', (status) => {
      expect(() => buildFilterPolicy({ status: [status] }, 'support')).toThrow('--status');
    });

    it('rejects a kind the topic never publishes, naming the right topic', () => {
      expect(() => buildFilterPolicy({ kind: ['account-issue.opened'] }, 'support')).toThrow(
        '--kind account-issue.opened is published on the account topic, not on support',
      );
      expect(() => buildFilterPolicy({ kind: ['incident.open'] }, 'support')).toThrow(
        '--kind must be one of incident.opened, incident.reminder, incident.resolved',
      );
    });

    it('rejects an unknown severity', () => {
      expect(() => buildFilterPolicy({ severity: ['urgent'] }, 'support')).toThrow(
        '--severity must be one of critical, high, warning, info',
      );
    });

    it('keeps within the SNS limits of 5 attributes and 150 combinations', () => {
      expect(() =>
        buildFilterPolicy(
          {
            account: ['a'],
            kind: ['incident.opened'],
            severity: ['critical'],
            status: ['500'],
            model: ['m'],
            app: ['x'],
          },
          'support',
        ),
      ).toThrow('SNS filter policies take at most 5 attributes');
      const many = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
      expect(() => buildFilterPolicy({ account: many(13, 'a'), model: many(12, 'm') }, 'account')).toThrow(
        'the filter has 156 value combinations; SNS allows at most 150',
      );
      expect(buildFilterPolicy({ account: many(10, 'a'), model: many(15, 'm') }, 'account')).toBeDefined();
    });
  });

  describe('tailOptions', () => {
    it('reads the filters and limits', () => {
      expect(
        tailOptions('account', {
          account: ['acme', 'globex'],
          max: '3',
          timeout: '1.5',
          json: true,
          stack: 's.json',
        }),
      ).toEqual({
        topic: 'account',
        filterPolicy: { account: ['acme', 'globex'] },
        max: 3,
        timeoutSeconds: 1.5,
        json: true,
      });
    });

    it.each([
      ['max', '0'],
      ['max', '1.5'],
      ['timeout', '0'],
      ['timeout', 'soon'],
    ])('rejects --%s %s', (flag, value) => {
      expect(() => tailOptions('support', { [flag]: value })).toThrow(`--${flag} must be a positive`);
    });
  });

  describe('triage tail', () => {
    it('needs a topic of support or account, before touching any stack', async () => {
      const none = captureIo();
      expect(await main(['tail'], none)).toBe(2);
      expect(none.errors).toEqual([
        expect.stringContaining("triage tail: missing required argument 'topic'"),
      ]);
      const wrong = captureIo();
      expect(await main(['tail', 'billing', '--stack', '/nonexistent.json'], wrong)).toBe(2);
      expect(wrong.errors).toEqual([
        "triage tail: command-argument value 'billing' is invalid for argument 'topic'. Allowed choices are support, account; see `triage tail --help`",
      ]);
    });

    it('collects a repeated filter into one list', async () => {
      const io = captureIo();
      expect(
        await main(['tail', 'account', '--kind', 'incident.opened', '--stack', '/nonexistent.json'], io),
      ).toBe(2);
      expect(io.errors).toEqual([
        'triage tail: --kind incident.opened is published on the support topic, not on account',
      ]);
    });
  });

  describe('queuePolicy', () => {
    it('lets only the topic send to the queue', () => {
      const topic = 'arn:aws:sns:eu-west-1:123456789012:support-escalations';
      const queue = 'arn:aws:sqs:eu-west-1:123456789012:triage-tail-x';
      expect(queuePolicy(queue, topic)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowTriageTopic',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queue,
            Condition: { ArnEquals: { 'aws:SourceArn': topic } },
          },
        ],
      });
    });
  });

  describe('notificationJson', () => {
    it('is the body with the subject and attributes of the envelope', () => {
      const line = notificationJson({
        topicArn: 'arn:aws:sns:us-east-1:000000000000:account-issues',
        subject: '402 for acme',
        attributes: { kind: 'account-issue.opened', account: 'acme' },
        body: { notificationId: 'n1', kind: 'account-issue.opened', count: 3 },
        raw: '{}',
      });
      expect(JSON.parse(line)).toEqual({
        notificationId: 'n1',
        kind: 'account-issue.opened',
        count: 3,
        subject: '402 for acme',
        attributes: { kind: 'account-issue.opened', account: 'acme' },
      });
    });
  });
});
