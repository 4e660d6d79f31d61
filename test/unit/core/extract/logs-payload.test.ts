import fc from 'fast-check';
import { ValidationError } from '../../../../functions/core/errors';
import {
  extractFromLogsPayload,
  type LogsPayload,
  LogsPayloadSchema,
  parseLogsPayload,
  readCommonLogsPayload,
} from '../../../../functions/core/extract/logs-payload';

function payload(messages: readonly string[], overrides: Partial<LogsPayload> = {}): LogsPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/checkout',
    logStream: '2026/11/25/[$LATEST]abc',
    subscriptionFilters: ['fireworks-errors'],
    logEvents: messages.map((message, index) => ({
      id: `3695821985020346249847129986291723747459142431510686924${index}`,
      timestamp: Date.parse('2026-11-25T15:00:00.000Z') + index,
      message,
    })),
    ...overrides,
  };
}

const FIREWORKS_ERROR =
  "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.fireworks.ai/inference/v1/chat/completions'";
const OTHER_ERROR = 'AxiosError: Request failed with status code 429';

describe('parseLogsPayload', () => {
  it('accepts a decoded subscription payload', () => {
    const decoded = payload(['x']);
    expect(parseLogsPayload(JSON.parse(JSON.stringify(decoded)))).toEqual(decoded);
  });

  it('rejects a payload without log events, naming the field', () => {
    const { logEvents: _, ...rest } = payload([]);
    expect(() => parseLogsPayload(rest)).toThrow(ValidationError);
    expect(() => parseLogsPayload(rest)).toThrow(/logEvents/);
  });

  it('rejects something that is not a payload at all', () => {
    expect(() => parseLogsPayload('hello')).toThrow(ValidationError);
  });
});

describe('extractFromLogsPayload', () => {
  it('turns each error line into an event with the log event id, time and log group app', () => {
    const result = extractFromLogsPayload(payload(['INFO ok', FIREWORKS_ERROR]), {
      includeNonFireworks: true,
    });
    expect(result.linesScanned).toBe(2);
    expect(result.events).toEqual([
      expect.objectContaining({
        id: '36958219850203462498471299862917237474591424315106869241',
        status: 503,
        provider: 'fireworks',
        occurredAt: '2026-11-25T15:00:00.001Z',
        app: 'checkout',
        source: 'logs',
        endpoint: '/inference/v1/chat/completions',
      }),
    ]);
  });

  it('drops errors that do not show Fireworks when non-Fireworks errors are excluded, and counts them', () => {
    const lines = [FIREWORKS_ERROR, OTHER_ERROR];
    expect(extractFromLogsPayload(payload(lines), { includeNonFireworks: true }).events).toHaveLength(2);
    const excluded = extractFromLogsPayload(payload(lines), { includeNonFireworks: false });
    expect(excluded.events.map((event) => event.status)).toEqual([503]);
    expect(excluded.nonFireworksSkipped).toBe(1);
  });

  it('extracts nothing from a control message', () => {
    const control = payload(['CWL CONTROL MESSAGE: Checking health of destination Lambda 503'], {
      messageType: 'CONTROL_MESSAGE',
      logGroup: '',
      logStream: '',
    });
    expect(extractFromLogsPayload(control, { includeNonFireworks: true })).toEqual({
      events: [],
      linesScanned: 0,
      nonFireworksSkipped: 0,
    });
  });

  it('handles thousands of log events in one payload, in order', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 100 === 0 ? FIREWORKS_ERROR : `INFO request ${i} completed in ${i % 700}ms status=200`,
    );
    const result = extractFromLogsPayload(payload(lines), { includeNonFireworks: true });
    expect(result.linesScanned).toBe(10_000);
    expect(result.events).toHaveLength(100);
    expect(result.events[1]?.id.endsWith('100')).toBe(true);
  });
});

describe('parseLogsPayload control and data messages', () => {
  it('accepts a control message, whose log event id is empty', () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [
        { id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda.' },
      ],
    };
    expect(parseLogsPayload(control).messageType).toBe('CONTROL_MESSAGE');
  });

  it('rejects a data message with a log event without id', () => {
    const data = {
      messageType: 'DATA_MESSAGE',
      logGroup: 'g',
      logStream: 's',
      logEvents: [{ id: '', timestamp: 1, message: 'x' }],
    };
    expect(() => parseLogsPayload(data)).toThrow(/logEvents: every log event of a DATA_MESSAGE needs an id/);
  });
});

describe('readCommonLogsPayload (the fast path of parseLogsPayload)', () => {
  /** Mostly valid, each part sometimes an edge: wrong types, empty ids, non-finite times, extra keys. */
  const edge = <T>(valid: fc.Arbitrary<T>, ...edges: unknown[]) =>
    fc.oneof({ weight: 12, arbitrary: valid as fc.Arbitrary<unknown> }, fc.constantFrom(...edges));
  const logEvent = fc.record(
    {
      id: edge(fc.string({ maxLength: 8 }), '', 1, null),
      timestamp: edge(fc.integer(), Number.NaN, Number.POSITIVE_INFINITY, '1', 1.5),
      message: edge(fc.string({ maxLength: 20 }), 7, undefined),
      extractedFields: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: ['id', 'timestamp', 'message'] },
  );
  const payloadLike = fc.record(
    {
      messageType: edge(fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'), 'OTHER', 1),
      owner: edge(fc.string({ maxLength: 12 }), 1, null, undefined),
      logGroup: edge(fc.string({ maxLength: 12 }), 1, null),
      logStream: edge(fc.string({ maxLength: 12 }), undefined),
      subscriptionFilters: edge(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
        ['a', 1],
        'f',
        undefined,
      ),
      logEvents: edge(fc.array(edge(logEvent, null, [], 'x'), { maxLength: 5 }), {}, null),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: ['messageType', 'logGroup', 'logStream', 'logEvents'] },
  );
  const input = fc.oneof({ weight: 9, arbitrary: payloadLike }, fc.jsonValue({ maxDepth: 2 }));

  it('returns what the schema returns, whenever it returns anything', () => {
    fc.assert(
      fc.property(input, (decoded) => {
        const fast = readCommonLogsPayload(decoded);
        if (fast === undefined) return;
        const parsed = LogsPayloadSchema.safeParse(decoded);
        expect(parsed.success).toBe(true);
        // Same keys in the same order, not only equal values: the payload is serialized downstream.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('decides most generated payloads the schema accepts (the property above is not vacuous)', () => {
    const accepted = fc.sample(input, 2000).filter((decoded) => LogsPayloadSchema.safeParse(decoded).success);
    const fast = accepted.filter((decoded) => readCommonLogsPayload(decoded) !== undefined);
    expect(accepted.length).toBeGreaterThan(200);
    expect(fast.length / accepted.length).toBeGreaterThan(0.9);
  });

  it('leaves the error details to the schema', () => {
    expect(readCommonLogsPayload({ messageType: 'DATA_MESSAGE', logGroup: 'g' })).toBeUndefined();
    expect(() => parseLogsPayload({ messageType: 'DATA_MESSAGE', logGroup: 'g' })).toThrow(/logStream/);
  });
});
