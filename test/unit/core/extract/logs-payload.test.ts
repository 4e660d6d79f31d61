import { ValidationError } from '../../../../functions/core/errors';
import {
  extractFromLogsPayload,
  type LogsPayload,
  parseLogsPayload,
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
const UNNAMED_ERROR = "openai.RateLimitError: Error code: 429 - {'error': {'message': 'slow down'}}";
const OPENAI_ERROR =
  'HTTPError: 502 Server Error: Bad Gateway for url: https://api.openai.com/v1/chat/completions';
const WEBSITE_ERROR = '"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"';

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
    const result = extractFromLogsPayload(payload(['INFO ok', FIREWORKS_ERROR]), { count: 'default' });
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

  it('counts what the log group counts, and says how many errors it left out', () => {
    const lines = [FIREWORKS_ERROR, UNNAMED_ERROR, OPENAI_ERROR, WEBSITE_ERROR];
    const statuses = (count: 'default' | 'llm' | 'all') => {
      const result = extractFromLogsPayload(payload(lines), { count });
      return { counted: result.events.map((event) => event.status), notCounted: result.notCounted };
    };
    expect(statuses('default')).toEqual({ counted: [503, 429], notCounted: 2 });
    expect(statuses('llm')).toEqual({ counted: [503, 429, 502], notCounted: 1 });
    expect(statuses('all')).toEqual({ counted: [503, 429, 502, 404], notCounted: 0 });
  });

  it('extracts nothing from a control message', () => {
    const control = payload(['CWL CONTROL MESSAGE: Checking health of destination Lambda 503'], {
      messageType: 'CONTROL_MESSAGE',
      logGroup: '',
      logStream: '',
    });
    expect(extractFromLogsPayload(control, { count: 'all' })).toEqual({
      events: [],
      linesScanned: 0,
      notCounted: 0,
    });
  });

  it('handles thousands of log events in one payload, in order', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 100 === 0 ? FIREWORKS_ERROR : `INFO request ${i} completed in ${i % 700}ms status=200`,
    );
    const result = extractFromLogsPayload(payload(lines), { count: 'default' });
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
