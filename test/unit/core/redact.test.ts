import fc from 'fast-check';
import {
  looksLikeSecret,
  mayHoldSecret,
  REDACTED,
  redactDeep,
  redactText,
} from '../../../functions/core/redact';
import { SECRET_KINDS } from '../../helpers/secrets';

const FW_KEY = 'fw_3ZSxYbQ9kLmN8pQrStUvWx12';
const SK_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redact', () => {
  it.each([
    [`Authorization: Bearer ${FW_KEY}`, FW_KEY],
    [`calling with bearer ${JWT}`, JWT.slice(0, 20)],
    [`{"authorization":"Basic dXNlcjpwYXNz"}`, 'dXNlcjpwYXNz'],
    [`x-api-key=abc123secretvalue&model=x`, 'abc123secretvalue'],
    [`api_key: '${SK_KEY}'`, SK_KEY],
    [`OpenAI error with key ${SK_KEY} in the text`, SK_KEY],
    [`Invalid API key ${FW_KEY}.`, FW_KEY],
    [`key ${FW_KEY}`, FW_KEY],
    ['token fet_AAAAbbbbCCCCddddEEEEffff0123456789_-xyzXYZ1 rejected', 'fet_AAAAbbbbCCCCdddd'],
    [`The security token included in the request is invalid: ${AWS_KEY_ID}`, AWS_KEY_ID],
    [`aws_secret_access_key = ${AWS_SECRET}`, AWS_SECRET],
    [`AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"`, AWS_SECRET],
    [`{"SecretAccessKey": "${AWS_SECRET}"}`, AWS_SECRET],
    [`jwt expired: ${JWT}`, JWT.split('.')[1] as string],
    ['login failed passwd=hunter22 for root', 'hunter22'],
    ['connect pwd=s3cr3t;user=sa', 's3cr3t'],
    ['postgres://app:Sup3rS3cret@db.internal:5432/main refused', 'Sup3rS3cret'],
    ['fetch https://user:p%40ss@example.com/x failed', 'p%40ss'],
    [`{"password": "correct horse battery staple"}`, 'horse battery'],
    [`{'password': 'correct horse'}`, 'horse'],
    [`{\\"password\\": \\"correct horse\\"}`, 'horse'],
    ['password="two words"', 'two words'],
    ['client_secret: abcdef123456', 'abcdef123456'],
    [`v12${SK_KEY}`, SK_KEY],
    ['Bearer 7fuT9sqJbAy4H35fjMqf=v353', '7fuT9sqJbAy4H35f'],
    [`id-${FW_KEY}`, FW_KEY],
  ])('removes the secret from %s', (text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    'Model accounts/fireworks/models/llama-v3p1-8b-instruct not found (request 7f3a-11)',
    'max_tokens: 500 exceeds the limit of 429 tokens',
    'Invalid token: 401 Unauthorized',
    'token_type=bearer expires_in=3600',
    'POST https://api.fireworks.ai/inference/v1/chat/completions 503',
    'user@example.com could not log in',
    'accounts/acme/models/risk-assessment-model-v2 not deployed',
    'key_1a2b',
  ])('leaves ordinary error text alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('keeps the quotes around a redacted value, so JSON stays JSON', () => {
    const out = redactText('{"password": "a b c", "status": 401}');
    expect(JSON.parse(out)).toEqual({ password: REDACTED, status: 401 });
  });

  it('blanks credential headers and redacts nested strings, dropping prototype keys', () => {
    const input = JSON.parse(
      `{"headers":{"Authorization":"Bearer ${FW_KEY}","x-request-id":"r-1"},"body":{"msg":"key ${SK_KEY}"},"__proto__":{"polluted":true}}`,
    );
    const out = redactDeep(input) as Record<string, Record<string, string>>;
    expect(out.headers?.Authorization).toBe(REDACTED);
    expect(out.headers?.['x-request-id']).toBe('r-1');
    expect(JSON.stringify(out)).not.toContain(SK_KEY);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(false);
  });

  it('tells keys from fingerprints', () => {
    for (const secret of [FW_KEY, SK_KEY, 'Bearer abc', AWS_KEY_ID, JWT, 'fet_AAAAbbbbCCCCddddEEEEffff'])
      expect(looksLikeSecret(secret)).toBe(true);
    for (const fingerprint of ['key_1a2b', 'sha256:9f86d081884c7d65', '...x7Qz', 'AROAEXAMPLEID1234567'])
      expect(looksLikeSecret(fingerprint)).toBe(false);
  });

  describe.each(Object.entries(SECRET_KINDS))('a planted %s', (_kind, secrets) => {
    const noise = fc.string({ maxLength: 30 }).map((s) => s.replace(/[A-Za-z0-9_]$/, '$& '));
    it('is removed wherever it stands in a text, and the screen lets it through', () => {
      fc.assert(
        fc.property(noise, secrets, noise, (before, { text, secret }, after) => {
          // Noise that spells the secret itself (`toString`, a common word as a password) is not a leak.
          fc.pre(!before.includes(secret) && !after.includes(secret));
          const value = `${before} ${text} ${after}`;
          expect(mayHoldSecret(value)).toBe(true);
          expect(redactText(value)).not.toContain(secret);
        }),
        { numRuns: 300 },
      );
    });
  });

  it('mayHoldSecret is false only where redaction changes nothing, on any part of the text', () => {
    const word = fc.constantFrom(
      'status',
      'error',
      'model',
      'retry',
      'ms',
      '503',
      '=',
      ':',
      ' ',
      '"',
      'k',
      'e',
      'y',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 20 }), fc.nat(), fc.nat(), (words, a, b) => {
        const value = words.join('');
        const start = value.length === 0 ? 0 : a % value.length;
        const part = value.slice(start, start + (b % (value.length + 1)));
        if (!mayHoldSecret(value)) expect(mayHoldSecret(part)).toBe(false);
      }),
    );
    expect(mayHoldSecret('Model accounts/fireworks/models/x not found')).toBe(false);
  });
});
