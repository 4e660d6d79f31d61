import {
  SDK_CLASSES,
  statusFromErrorCode,
  statusFromSdkClass,
} from '../../../../functions/core/extract/implied-status';
import { readJsonLine } from '../../../../functions/core/extract/json-line';

describe('statusFromSdkClass', () => {
  it('finds every known class (none is hidden by the Error/Timeout pre-check)', () => {
    for (const [name, [status]] of Object.entries(SDK_CLASSES)) {
      expect(name.includes('Error') || name.includes('Timeout')).toBe(true);
      expect(statusFromSdkClass(`openai.${name}: boom`, false)).toBe(status);
    }
  });

  it('finds nothing in a line that names no class', () => {
    expect(statusFromSdkClass('ERROR db.pool: connection reset after took 429 ms', true)).toBeUndefined();
  });
});

describe('statusFromErrorCode', () => {
  it('reads a code in any case', () => {
    expect(statusFromErrorCode('not_found')).toBe(404);
    expect(statusFromErrorCode('NOT_FOUND')).toBe(404);
    expect(statusFromErrorCode('Rate_Limit_Error')).toBe(429);
  });

  it('does not take an inherited name written in mixed case for a code', () => {
    // `toString` as given is inherited from Object.prototype; lower-cased it names nothing.
    expect(statusFromErrorCode('toString')).toBeUndefined();
    expect(statusFromErrorCode('constructor')).toBeUndefined();
    expect(statusFromErrorCode('Constructor')).toBeUndefined();
    expect(statusFromErrorCode('__proto__')).toBeUndefined();
    expect(statusFromErrorCode('hasOwnProperty')).toBeUndefined();
    expect(statusFromErrorCode('invalid_request_error')).toBeUndefined();
  });
});

describe('readJsonLine', () => {
  it('reads status keys the same before and after its memo of key names is full', () => {
    for (let i = 0; i < 5000; i++) readJsonLine({ [`field_${i}`]: 1 });
    expect(readJsonLine({ upstream_status_code: 503 }).status).toEqual({ status: 503 });
    expect(readJsonLine({ never_seen_before_key: 1, 'http.response.status_code': 429 }).status).toEqual({
      status: 429,
    });
    expect(readJsonLine({ lastError: { code: 502 } }).status).toEqual({ status: 502 });
  });
});
