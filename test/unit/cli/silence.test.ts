import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';
import { captureIo } from '../../helpers/cli-dynalite';
import { ADMIN_TOKEN, jsonAnswer, localStackFile } from '../../helpers/local-stack-file';

const run = (args: string[], io: CliIo, fetchFn: typeof fetch) =>
  main(['silence', ...args], io, { fetch: fetchFn });
const ack = (args: string[], io: CliIo, fetchFn: typeof fetch) =>
  main(['ack', ...args], io, { fetch: fetchFn });

const SILENCE = {
  id: 'sil-1',
  model: ['m1'],
  status: [500],
  startsAt: '2026-12-01T12:00:00.000Z',
  endsAt: '2026-12-01T14:00:00.000Z',
  comment: 'Fireworks maintenance',
  createdBy: 'alice',
  createdAt: '2026-12-01T12:00:00.000Z',
  state: 'active',
};

describe('triage silence', () => {
  let stackArgs: string[];
  let remove: () => void;
  beforeEach(() => {
    ({ args: stackArgs, remove } = localStackFile('silence-cli-'));
  });
  afterEach(() => remove());

  it('adds a silence: POST /v1/silences with the matchers, duration, comment and author', async () => {
    const fetchFn = jest.fn(async (_url: URL | string, _init?: RequestInit) =>
      jsonAnswer(201, { silence: SILENCE }),
    );
    const io = captureIo();
    const args = [
      'add',
      '--model',
      'm1',
      '--status',
      '500',
      '--for',
      '2h',
      '--comment',
      'Fireworks maintenance',
      '--by',
      'alice',
    ];
    expect(await run([...args, ...stackArgs], io, fetchFn as typeof fetch)).toBe(0);
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(String(url)).toBe('http://127.0.0.1:3999/v1/silences');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(JSON.parse(String(init?.body))).toEqual({
      status: [500],
      model: ['m1'],
      duration: '2h',
      comment: 'Fireworks maintenance',
      createdBy: 'alice',
    });
    expect(io.lines[0]).toMatch(/^ID\s+STATE\s+MATCHERS\s+STARTS\s+ENDS\s+BY\s+COMMENT$/);
    expect(io.lines[1]).toMatch(/^sil-1\s+active\s+status=500 model=m1\s+2026-12-01T12:00:00.000Z/);
  });

  it('lists silences (by state) and expires one by id', async () => {
    const fetchFn = jest.fn(async (_url: URL | string, init?: RequestInit) =>
      init?.method === 'DELETE'
        ? jsonAnswer(200, { silence: { ...SILENCE, state: 'expired' } })
        : jsonAnswer(200, { silences: [SILENCE] }),
    );
    const listed = captureIo();
    expect(
      await run(['list', '--state', 'active', '--json', ...stackArgs], listed, fetchFn as typeof fetch),
    ).toBe(0);
    expect(String(fetchFn.mock.calls[0]?.[0])).toBe('http://127.0.0.1:3999/v1/silences?state=active');
    expect(listed.lines.map((l) => JSON.parse(l))).toEqual([SILENCE]);

    const expired = captureIo();
    expect(await run(['expire', 'sil-1', '--json', ...stackArgs], expired, fetchFn as typeof fetch)).toBe(0);
    expect(String(fetchFn.mock.calls[1]?.[0])).toBe('http://127.0.0.1:3999/v1/silences/sil-1');
    expect(JSON.parse(expired.lines[0] ?? '{}').state).toBe('expired');
  });

  it('reports the API’s 400 as a usage error, and bad usage before any request', async () => {
    const fetchFn = jest.fn(async () =>
      jsonAnswer(400, {
        error: { status: 400, message: 'invalid silence: (body): expected at least one matcher' },
      }),
    );
    const refused = captureIo();
    expect(
      await run(['add', '--for', '1h', '--comment', 'x', ...stackArgs], refused, fetchFn as typeof fetch),
    ).toBe(2);
    expect(refused.errors).toEqual([
      'triage silence add: POST /v1/silences answered 400: invalid silence: (body): expected at least one matcher',
    ]);
    for (const [args, error] of [
      [['mute'], "triage silence: unknown command 'mute'"],
      [['expire'], "triage silence expire: missing required argument 'id'"],
      [['list', 'extra'], "triage silence list: too many arguments for 'list'"],
      [['add', '--status', 'five', '--comment', 'x'], 'triage silence add: --status must be an HTTP status'],
      [['add', '--model', 'm1'], "triage silence add: required option '--comment <text>' not specified"],
      [
        ['list', '--state', 'gone'],
        "triage silence list: option '--state <state>' argument 'gone' is invalid",
      ],
    ] as const) {
      const io = captureIo();
      expect(await run([...args, ...stackArgs], io, fetchFn as typeof fetch)).toBe(2);
      expect(io.errors).toEqual([expect.stringContaining(error)]);
    }
    expect(fetchFn).toHaveBeenCalledTimes(1);
  });
});

describe('triage ack', () => {
  let stackArgs: string[];
  let remove: () => void;
  beforeEach(() => {
    ({ args: stackArgs, remove } = localStackFile('ack-cli-'));
  });
  afterEach(() => remove());

  it('posts the acknowledgement and says what it did', async () => {
    const fetchFn = jest.fn(async (_url: URL | string, _init?: RequestInit) =>
      jsonAnswer(200, {
        incident: { subjectId: 'inc-1', kind: 'incident', status: 500, count: 4, acknowledgedBy: 'alice' },
      }),
    );
    const io = captureIo();
    expect(
      await ack(['inc-1', '--by', 'alice', '--comment', 'on it', ...stackArgs], io, fetchFn as typeof fetch),
    ).toBe(0);
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(String(url)).toBe('http://127.0.0.1:3999/v1/incidents/inc-1/ack');
    expect(JSON.parse(String(init?.body))).toEqual({ by: 'alice', comment: 'on it' });
    expect(io.lines).toEqual([
      'acknowledged inc-1 (incident 500, 4 errors) by alice: no reminders until it resolves',
    ]);
  });

  it('needs a subject id and --by; reports a 409 with the API’s message', async () => {
    const fetchFn = jest.fn(async () =>
      jsonAnswer(409, {
        error: { status: 409, type: 'conflict', message: 'inc-1 was already acknowledged by bob' },
      }),
    );
    expect(await ack(['--by', 'a', ...stackArgs], captureIo(), fetchFn as typeof fetch)).toBe(2);
    expect(await ack(['inc-1', ...stackArgs], captureIo(), fetchFn as typeof fetch)).toBe(2);
    const conflict = captureIo();
    expect(await ack(['inc-1', '--by', 'a', ...stackArgs], conflict, fetchFn as typeof fetch)).toBe(1);
    expect(conflict.errors).toEqual([
      'triage ack: POST /v1/incidents/inc-1/ack answered 409: inc-1 was already acknowledged by bob',
    ]);
    expect(fetchFn).toHaveBeenCalledTimes(1);
  });
});
