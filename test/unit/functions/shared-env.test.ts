import { ConfigError } from '../../../functions/core/errors';
import { booleanEnv, numberEnv, optionalEnv, requireEnv } from '../../../functions/shared/env';

describe('shared/env', () => {
  it('returns a required variable that is set', () => {
    expect(requireEnv('TABLE_NAME', { TABLE_NAME: 'state' })).toBe('state');
  });

  it('names a missing or blank required variable', () => {
    expect(() => requireEnv('TABLE_NAME', {})).toThrow('Missing required environment variable TABLE_NAME');
    expect(() => requireEnv('TABLE_NAME', { TABLE_NAME: ' ' })).toThrow(ConfigError);
  });

  it('falls back for an absent optional variable', () => {
    expect(optionalEnv('X', 'd', {})).toBe('d');
    expect(optionalEnv('X', 'd', { X: 'v' })).toBe('v');
  });

  it('parses numbers and rejects non-numbers or out-of-range values', () => {
    expect(numberEnv('TOKEN_CACHE_SECONDS', 60, {}, {})).toBe(60);
    expect(numberEnv('TOKEN_CACHE_SECONDS', 60, {}, { TOKEN_CACHE_SECONDS: '5' })).toBe(5);
    expect(() => numberEnv('TOKEN_CACHE_SECONDS', 60, {}, { TOKEN_CACHE_SECONDS: 'soon' })).toThrow(
      /TOKEN_CACHE_SECONDS must be a number/,
    );
    expect(() => numberEnv('N', 1, { min: 0 }, { N: '-1' })).toThrow(ConfigError);
  });

  it('parses booleans strictly', () => {
    expect(booleanEnv('B', false, { B: 'TRUE' })).toBe(true);
    expect(booleanEnv('B', true, { B: 'false' })).toBe(false);
    expect(booleanEnv('B', true, {})).toBe(true);
    expect(() => booleanEnv('B', true, { B: 'yes' })).toThrow(ConfigError);
  });
});
