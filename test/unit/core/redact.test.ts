import { looksLikeSecret, REDACTED, redactDeep, redactText } from '../../../functions/core/redact';

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
});
