import fc from 'fast-check';
import {
  looksLikeSecret,
  mayHoldSecret,
  REDACTED,
  redactDeep,
  redactEveryPattern,
  redactText,
} from '../../../functions/core/redact';

const FW_KEY = 'fw_3ZSxYbQ9kLmN8pQrStUvWx12';
const SK_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';

describe('redact', () => {
  it.each([
    [`Authorization: Bearer ${FW_KEY}`, FW_KEY],
    [`calling with bearer eyJhbGciOiJIUzI1NiJ9.payload.sig`, 'eyJhbGciOiJIUzI1NiJ9'],
    [`{"authorization":"Basic dXNlcjpwYXNz"}`, 'dXNlcjpwYXNz'],
    [`x-api-key=abc123secretvalue&model=x`, 'abc123secretvalue'],
    [`api_key: '${SK_KEY}'`, SK_KEY],
    [`OpenAI error with key ${SK_KEY} in the text`, SK_KEY],
    [`Invalid API key ${FW_KEY}.`, FW_KEY],
    ['token fet_AAAAbbbbCCCCddddEEEEffff0123456789_-xyzXYZ1 rejected', 'fet_AAAAbbbbCCCCdddd'],
  ])('removes the secret from %s', (text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('leaves ordinary error text alone', () => {
    const text = 'Model accounts/fireworks/models/llama-v3p1-8b-instruct not found (request 7f3a-11)';
    expect(redactText(text)).toBe(text);
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
    expect(looksLikeSecret(FW_KEY)).toBe(true);
    expect(looksLikeSecret(SK_KEY)).toBe(true);
    expect(looksLikeSecret('Bearer abc')).toBe(true);
    expect(looksLikeSecret('key_1a2b')).toBe(false);
    expect(looksLikeSecret('sha256:9f86d081884c7d65')).toBe(false);
    expect(looksLikeSecret('...x7Qz')).toBe(false);
  });

  describe('the one-pass screen before the replacement passes', () => {
    // Pieces of every credential shape the patterns know, in mixed case, next to separators and noise,
    // so that generated strings land on both sides of the screen and at its edges.
    const marker = fc.constantFrom(
      'Authorization',
      'proxy-authorization',
      'X-Api-Key',
      'api_key',
      'API-KEY',
      'apikey',
      'access_token',
      'Access-Token',
      'accesstoken',
      'secret',
      'PASSWORD',
      'bearer',
      'Bearer',
      'BEARER',
      'basic',
      'token',
      'fw_',
      'FW_',
      'fet_',
      'sk-',
      'SK-',
      'sk-proj-',
      'sk-live-',
      'key',
      'api',
    );
    const separator = fc.constantFrom(
      ':',
      '=',
      ': ',
      ' = ',
      '"',
      "'",
      '":"',
      ' ',
      '\t',
      '\n',
      ',',
      ';',
      '&',
      '}',
      '-',
      '_',
      '.',
      '/',
    );
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
    // Pieces of every credential shape the patterns know, in mixed case, next to separators and noise,
    // so that generated strings land on both sides of the screen and near its edges.
    const piece = fc.oneof(
      marker,
      separator,
      word,
      fc.tuple(marker, separator, word).map((parts) => parts.join('')),
      fc.string({ maxLength: 6, unit: 'binary' }),
    );
    const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));

    it('returns what every replacement pass returns, for any string', () => {
      fc.assert(
        fc.property(text, (value) => {
          expect(redactText(value)).toBe(redactEveryPattern(value));
        }),
        { numRuns: 3000 },
      );
    });

    it('is exercised on both sides: the generator makes secrets and clean strings', () => {
      const samples = fc.sample(text, 2000);
      const redacted = samples.filter((value) => redactEveryPattern(value) !== value).length;
      expect(redacted).toBeGreaterThan(200);
      expect(samples.length - redacted).toBeGreaterThan(200);
    });

    it('mayHoldSecret says no only for strings whose every substring redaction leaves unchanged', () => {
      fc.assert(
        fc.property(text, fc.nat(), fc.nat(), (value, a, b) => {
          const start = value.length === 0 ? 0 : a % value.length;
          const sub = value.slice(start, start + (b % (value.length + 1)));
          if (!mayHoldSecret(value)) expect(redactEveryPattern(sub)).toBe(sub);
          if (redactEveryPattern(value) !== value) expect(mayHoldSecret(value)).toBe(true);
        }),
        { numRuns: 3000 },
      );
      expect(mayHoldSecret(`key ${FW_KEY}`)).toBe(true);
      expect(mayHoldSecret('Model accounts/fireworks/models/x not found')).toBe(false);
    });

    it('passes ordinary identifiers through unchanged', () => {
      for (const value of [
        'req-7f3a11',
        'accounts/fireworks/models/llama-v3p1-8b-instruct',
        'key_1a2b',
        'prod',
      ])
        expect(redactText(value)).toBe(value);
    });
  });
});
