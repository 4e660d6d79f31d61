import fc from 'fast-check';
import { DEFAULT_POLICY, renderNotification } from '../../../functions/core/policy';
import { printable, wellFormedText } from '../../../functions/core/safe-text';
import { formatNotification } from '../../../local/notification-printer';
import { event, PolicyStore, SEC } from './policy/policy-harness';

const FORGED = 'm1\n2026-12-06T00:00:00.000Z [support-escalations] incident.resolved \u001b[2J\u001b[H';

describe('wellFormedText', () => {
  it('replaces lone surrogates, U+FFFE and U+FFFF with U+FFFD and keeps everything else', () => {
    expect(wellFormedText('a\ud800b\udfffc\ufffe\uffff')).toBe('a\ufffdb\ufffdc\ufffd\ufffd');
    expect(wellFormedText('ok 😀 é \n')).toBe('ok 😀 é \n');
  });

  it('always gives text that encodes to UTF-8 and back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const safe = wellFormedText(value);
        expect(Buffer.from(safe, 'utf8').toString('utf8')).toBe(safe);
        expect(safe).not.toMatch(/[\ufffe\uffff]/);
      }),
    );
  });
});

describe('printable', () => {
  it('shows line breaks and escape sequences instead of obeying them', () => {
    expect(printable('a\nb\r\tc\u001b[2J\u2028')).toBe('a\\nb\\r\\tc\\u001b[2J\\u2028');
  });

  it('never leaves a control character, and leaves ordinary text alone', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about them
        expect(printable(value)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
    );
    expect(printable('accounts/fireworks/models/llama-v3 — 503 ✓')).toBe(
      'accounts/fireworks/models/llama-v3 — 503 ✓',
    );
  });
});

describe('values that try to forge lines', () => {
  const [intent] = new PolicyStore(DEFAULT_POLICY).apply(
    [event(500, 0, { model: FORGED, app: 'a\nb' })],
    SEC,
  );
  if (!intent) throw new Error('expected an incident');

  it('cannot add a line to the e-mail text', () => {
    const { text } = renderNotification(intent);
    const lines = text.split('\n');
    expect(lines.some((line) => line.startsWith('2026-12-06T00:00:00.000Z'))).toBe(false);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\n2026-12-06T00:00:00.000Z');
  });

  it('prints as one line in the local stack and triage tail', () => {
    const line = formatNotification({
      topicArn: 'arn:aws:sns:us-east-1:000000000000:support-escalations',
      subject: 'Incident opened',
      attributes: { kind: 'incident.opened' },
      body: JSON.parse(renderNotification(intent).json),
      raw: '',
    });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toContain('\u001b');
  });
});

describe('log lines with escaped lone surrogates', () => {
  it('become events whose every text is well-formed', () => {
    const { extractFromLine } =
      require('../../../functions/core/extract/extract-line') as typeof import('../../../functions/core/extract/extract-line');
    const { toTriageEvent } =
      require('../../../functions/core/extract/to-triage-event') as typeof import('../../../functions/core/extract/to-triage-event');
    const line =
      '{"statusCode": 503, "model": "m-\\ud800", "message": "boom \\udfff", "account": "a\\uffff"}';
    const extraction = extractFromLine(line);
    if (!extraction) throw new Error('expected an error line');
    const event = toTriageEvent(extraction, { id: '1', logGroup: '/aws/lambda/x-\ud800' });
    for (const value of Object.values(event)) {
      if (typeof value === 'string') expect(value.isWellFormed() && !/[\ufffe\uffff]/.test(value)).toBe(true);
    }
    expect(event.model).toBe('m-\ufffd');
  });
});
