import { SDK_CLASSES, statusFromSdkClass } from '../../../../functions/core/extract/implied-status';
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
