import { Readable } from 'node:stream';
import { eventFromFlags, packRequests, parseCount, requestsFromStdin } from '../../../cli/commands/send';
import type { CliIo } from '../../../cli/io';
import { type CliDependencies, main } from '../../../cli/main';

function captureIo(stdin = ''): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    stdin: Readable.from([stdin]),
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    lines,
    errors,
  };
}

const jsonLines = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n');

describe('cli/commands/send', () => {
  describe('eventFromFlags', () => {
    it('builds the event from the flags, with status and epoch times as numbers', () => {
      expect(
        eventFromFlags({
          status: '503',
          model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
          account: 'acme',
          app: 'checkout',
          message: 'upstream overloaded',
          requestId: 'req-1',
          endpoint: '/inference/v1/chat/completions',
          occurredAt: '1764082800000',
        }),
      ).toEqual({
        status: 503,
        model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
        account: 'acme',
        app: 'checkout',
        message: 'upstream overloaded',
        requestId: 'req-1',
        endpoint: '/inference/v1/chat/completions',
        occurredAt: 1764082800000,
      });
    });

    it('keeps an ISO occurred-at as text', () => {
      expect(eventFromFlags({ status: '500', occurredAt: '2026-11-25T15:00:00Z' })).toEqual({
        status: 500,
        occurredAt: '2026-11-25T15:00:00Z',
      });
    });

    it('asks for --status when it is missing', () => {
      expect(() => eventFromFlags({ model: 'm' })).toThrow('send needs --status CODE');
    });

    it('names the flag and gives the server-side message for a bad status', () => {
      expect(() => eventFromFlags({ status: '999' })).toThrow(
        'invalid --status: expected an integer HTTP status from 100 to 599',
      );
      expect(() => eventFromFlags({ status: 'abc' })).toThrow('--status');
    });

    it('lists every bad flag at once', () => {
      let message = '';
      try {
        eventFromFlags({ status: '503', occurredAt: 'yesterday', model: '' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^invalid flags:/);
      expect(message).toContain('--occurred-at: occurredAt must be a valid ISO-8601 date-time');
      expect(message).toContain('--model: model must not be empty');
    });
  });

  describe('parseCount', () => {
    it('defaults to one copy and accepts up to 500', () => {
      expect(parseCount(undefined)).toBe(1);
      expect(parseCount('500')).toBe(500);
    });

    it.each(['0', '501', '2.5', 'x', '-1'])('rejects --count %s', (text) => {
      expect(() => parseCount(text)).toThrow('--count must be an integer from 1 to 500');
    });
  });

  describe('requestsFromStdin', () => {
    it('sends a single JSON body as it is: an event, an array or {events}', () => {
      const event = { status: 503, model: 'm' };
      expect(requestsFromStdin(JSON.stringify(event))).toEqual([event]);
      expect(requestsFromStdin(JSON.stringify([event, event]))).toEqual([[event, event]]);
      expect(requestsFromStdin(JSON.stringify({ events: [event] }, null, 2))).toEqual([{ events: [event] }]);
    });

    it('splits JSON lines into requests of at most 500 events, in order', () => {
      const events = Array.from({ length: 1201 }, (_, n) => ({ status: 503, requestId: `r${n}` }));
      const bodies = requestsFromStdin(`${jsonLines(events)}\n\n`) as { events: { requestId: string }[] }[];
      expect(bodies.map((b) => b.events.length)).toEqual([500, 500, 201]);
      expect(bodies.flatMap((b) => b.events.map((e) => e.requestId))).toEqual(events.map((e) => e.requestId));
    });

    it('keeps every request under the 256 KiB body limit', () => {
      const message = 'x'.repeat(4000);
      const events = Array.from({ length: 300 }, () => ({ status: 503, message }));
      const bodies = requestsFromStdin(jsonLines(events)) as { events: unknown[] }[];
      expect(bodies.length).toBeGreaterThan(1);
      for (const body of bodies)
        expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(256 * 1024);
      expect(bodies.reduce((n, b) => n + b.events.length, 0)).toBe(300);
    });

    it('reports every bad line by number and sends nothing', () => {
      const text = [
        JSON.stringify({ status: 503 }),
        '{not json',
        JSON.stringify({ status: 503 }),
        JSON.stringify({ status: 'abc' }),
      ].join('\n');
      expect(() => requestsFromStdin(text)).toThrow(
        /invalid input on stdin; nothing was sent:\n {2}line 2: not JSON .*\n {2}line 4: status: expected an integer HTTP status/,
      );
    });

    it('reports invalid events of a single body with their paths', () => {
      expect(() => requestsFromStdin(JSON.stringify({ events: [{ status: 503 }, { model: 'm' }] }))).toThrow(
        /1 of 2 events are invalid; nothing was accepted\n {2}events\[1\]\.status: status is required/,
      );
    });

    it('points a single body of more than 500 events to JSON lines', () => {
      const events = Array.from({ length: 501 }, () => ({ status: 503 }));
      expect(() => requestsFromStdin(JSON.stringify(events))).toThrow(/too many events.*JSON lines/);
    });

    it('refuses empty input', () => {
      expect(() => requestsFromStdin(' \n')).toThrow('nothing on stdin');
    });
  });

  describe('packRequests', () => {
    it('starts a new request when the next event would pass the byte limit', () => {
      const big = { event: { status: 503 }, bytes: 200 * 1024 };
      expect(packRequests([big, big]).length).toBe(2);
      expect(packRequests([{ event: 1, bytes: 10 }])).toEqual([{ events: [1] }]);
    });
  });

  describe('triage send', () => {
    const run = (args: string[], io: CliIo, deps: CliDependencies) => main(['send', ...args], io, deps);

    it('exits 2 on invalid flags without sending anything', async () => {
      const io = captureIo();
      const fetch = jest.fn();
      expect(
        await run(['--status', '5o3', '--url', 'http://127.0.0.1:1', '--token', 't'], io, { fetch }),
      ).toBe(2);
      expect(fetch).not.toHaveBeenCalled();
      expect(io.errors).toEqual([expect.stringContaining('triage send: invalid --status')]);
    });

    it('refuses event flags together with --stdin', async () => {
      const io = captureIo('{"status":503}');
      expect(
        await run(['--stdin', '--status', '503', '--count', '2', '--request-id', 'r'], io, {
          fetch: jest.fn(),
        }),
      ).toBe(2);
      expect(io.errors).toEqual([
        'triage send: --stdin takes the events from stdin; drop --status, --request-id, --count',
      ]);
    });

    it('asks for a token when a deployed URL has none', async () => {
      const io = captureIo();
      expect(
        await run(['--status', '503', '--url', 'https://example.com/v1/events'], io, {
          env: {},
          fetch: jest.fn(),
        }),
      ).toBe(2);
      expect(io.errors[0]).toContain('no webhook token: pass --token TOKEN or set TRIAGE_TOKEN');
    });

    it('takes one stack at a time', async () => {
      const io = captureIo();
      expect(
        await run(['--status', '503', '--stack', 'a.json', '--outputs', 'b.json'], io, { fetch: jest.fn() }),
      ).toBe(2);
      expect(io.errors[0]).toContain("option '--stack <file>' cannot be used with option '--outputs <file>'");
    });

    it('says which stack file is missing and how to get one', async () => {
      const io = captureIo();
      expect(await run(['--status', '503', '--stack', '/nonexistent.json'], io, { fetch: jest.fn() })).toBe(
        2,
      );
      expect(io.errors).toEqual([
        'triage send: stack file /nonexistent.json does not exist: start the local stack (`npm start` writes it) or pass the right --stack FILE',
      ]);
    });

    it('says the webhook is unreachable in words, not ECONNREFUSED', async () => {
      const io = captureIo();
      const fetch = jest.fn(async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      });
      expect(
        await run(['--status', '503', '--url', 'http://127.0.0.1:9/v1/events', '--token', 't'], io, {
          fetch,
        }),
      ).toBe(1);
      expect(io.errors).toEqual([
        'triage send: cannot reach http://127.0.0.1:9/v1/events (nothing is listening there) — is `npm start` running?',
      ]);
    });

    it('sends to the base URL with /v1/events added, with TRIAGE_TOKEN as bearer token', async () => {
      const io = captureIo();
      const fetch = jest.fn(async () => new Response('{"accepted":1,"ids":["e1"]}', { status: 202 }));
      const code = await run(['--status', '503', '--url', 'https://api.example.com'], io, {
        env: { TRIAGE_TOKEN: 'fet_env' },
        fetch: fetch as unknown as typeof globalThis.fetch,
      });
      expect(code).toBe(0);
      expect(fetch).toHaveBeenCalledWith(
        'https://api.example.com/v1/events',
        expect.objectContaining({ headers: expect.objectContaining({ authorization: 'Bearer fet_env' }) }),
      );
      expect(io.lines).toEqual(['202 accepted 1: e1']);
    });
  });
});
