import fc from 'fast-check';
import { readJsonLine, reportsNoError } from '../../../../functions/core/extract/json-line';

type Json = Record<string, unknown>;

// Key names on both sides of STATUS_KEY and ERROR_KEY, and the ones readJsonLine reads as fields.
const key = fc.constantFrom(
  'status',
  'statusCode',
  'http.status_code',
  'upstream_status',
  'res',
  'error',
  'err',
  'Exception',
  'cause',
  'errors',
  'code',
  'type',
  'message',
  'url',
  'req',
  'level',
  'usage',
  'model',
  '_aws',
);
const scalar = fc.oneof(
  fc.constantFrom(200, 204, 302, 399, 400, 404, 429, 500, 503, 99, 600, 200.5),
  fc.constantFrom('200', '503', 'NOT_FOUND', 'rate_limit_error', '/v1/chat/completions', 'ok'),
  fc.boolean(),
  fc.constant(null),
);
const { record } = fc.letrec<{ record: Json; value: unknown }>((tie) => ({
  record: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  value: fc.oneof({ depthSize: 'small' }, scalar, scalar, tie('record'), fc.array(scalar, { maxLength: 2 })),
}));

/** Half the records lead with a status key, so that success records are common. */
const logRecord = fc.oneof(
  record,
  fc
    .tuple(
      fc.constantFrom('status', 'statusCode', 'http.status_code'),
      fc.oneof(fc.constantFrom(200, 204, '200'), scalar),
      record,
    )
    .map(([name, status, rest]): Json => ({ [name]: status, ...rest })),
);

describe('reportsNoError', () => {
  it('says yes only for records that readJsonLine reads as a metric or as a status below 400', () => {
    fc.assert(
      fc.property(logRecord, (value) => {
        if (!reportsNoError(value)) return;
        const reading = readJsonLine(value);
        expect(reading.metric || (reading.status !== undefined && reading.status.status < 400)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('is exercised on both sides: the generator makes records it passes and records it reads in full', () => {
    const samples = fc.sample(logRecord, 3000);
    const passed = samples.filter((value) => reportsNoError(value) && !readJsonLine(value).metric).length;
    expect(passed).toBeGreaterThan(100);
    expect(samples.length - passed).toBeGreaterThan(100);
  });

  it('reads in full a success record holding an error object at any depth it walks', () => {
    expect(reportsNoError({ status: 200, model: 'm' })).toBe(true);
    expect(reportsNoError({ status: 200, a: { b: { c: { error: { code: 503 } } } } })).toBe(false);
    expect(readJsonLine({ status: 200, a: { b: { c: { error: { code: 503 } } } } }).status).toEqual({
      status: 503,
    });
    expect(reportsNoError({ status: 503 })).toBe(false);
    expect(reportsNoError({ level: 'info' })).toBe(false);
  });
});
