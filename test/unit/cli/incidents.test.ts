import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import type { IncidentView } from '../../../functions/core/incidents';
import { captureIo } from '../../helpers/cli-dynalite';
import { ADMIN_TOKEN, jsonAnswer, localStackFile } from '../../helpers/local-stack-file';

const view = (subjectId: string, fields: Partial<IncidentView> = {}): IncidentView => ({
  subjectId,
  kind: 'incident',
  status: 500,
  statusCounts: { '500': 3 },
  model: 'accounts/fireworks/models/m1',
  state: 'open',
  openedAt: '2026-11-25T15:00:00.000Z',
  lastSeen: '2026-11-25T15:02:00.000Z',
  count: 3,
  ...fields,
});

describe('triage incidents', () => {
  let dir: string;
  let stackArgs: string[];
  let remove: () => void;
  beforeEach(() => {
    ({ dir, args: stackArgs, remove } = localStackFile('incidents-cli-', { token: `fet_${'i'.repeat(43)}` }));
  });
  afterEach(() => remove());

  it('reads every page with the local admin token and prints a table', async () => {
    const fetchFn = jest.fn(async (url: URL | string, _init?: RequestInit) =>
      String(url).includes('nextToken=')
        ? jsonAnswer(200, {
            incidents: [
              view('acct-2', {
                kind: 'account-issue',
                status: 402,
                model: undefined,
                account: 'acme',
                state: 'resolved',
              }),
            ],
          })
        : jsonAnswer(200, { incidents: [view('inc-1', { silencedBy: 'maintenance' })], nextToken: 'abc' }),
    );
    const io = captureIo();

    expect(await main(['incidents', ...stackArgs, '--open'], io, { fetch: fetchFn as typeof fetch })).toBe(0);

    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(String(url)).toBe('http://127.0.0.1:3999/v1/incidents?limit=100&state=open');
    expect(init?.headers).toMatchObject({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(String(fetchFn.mock.calls[1]?.[0])).toContain('nextToken=abc');
    expect(io.lines[0]).toMatch(
      /^SUBJECT\s+KIND\s+STATUS\s+STATE\s+COUNT\s+MODEL \/ ACCOUNT\s+OPENED\s+LAST SEEN$/,
    );
    expect(io.lines[1]).toMatch(
      /^inc-1\s+incident\s+500\s+open \(silenced\)\s+3\s+accounts\/fireworks\/models\/m1\s/,
    );
    expect(io.lines[2]).toMatch(/^acct-2\s+account-issue\s+402\s+resolved\s+3\s+acme\s/);
  });

  it('prints one JSON line per incident with --json', async () => {
    const fetchFn = jest.fn(async () => jsonAnswer(200, { incidents: [view('inc-1')] }));
    const io = captureIo();
    expect(await main(['incidents', ...stackArgs, '--json'], io, { fetch: fetchFn as typeof fetch })).toBe(0);
    expect(io.lines.map((l) => JSON.parse(l))).toEqual([view('inc-1')]);
  });

  it('fails with the API’s own message: exit 1 for a refused token, exit 2 for a bad query', async () => {
    const forbidden = jest.fn(async () =>
      jsonAnswer(403, { error: { status: 403, type: 'forbidden', message: "this token's scope is ingest" } }),
    );
    const refused = captureIo();
    expect(
      await main(['incidents', ...stackArgs, '--token', 'fet_x'], refused, {
        fetch: forbidden as typeof fetch,
      }),
    ).toBe(1);
    expect(refused.errors).toEqual([
      "triage incidents: GET /v1/incidents answered 403: this token's scope is ingest",
    ]);
    const bad = jest.fn(async () =>
      jsonAnswer(400, {
        error: { status: 400, message: 'invalid query: kind: expected incident or account-issue' },
      }),
    );
    const invalid = captureIo();
    expect(
      await main(['incidents', ...stackArgs, '--account', 'a'], invalid, { fetch: bad as typeof fetch }),
    ).toBe(2);
    expect(invalid.errors[0]).toMatch(/answered 400: invalid query/);
  });

  it('checks --kind before any request', async () => {
    const fetchFn = jest.fn();
    const io = captureIo();
    expect(await main(['incidents', ...stackArgs, '--kind', 'x'], io, { fetch: fetchFn })).toBe(2);
    expect(io.errors).toEqual([
      "triage incidents: option '--kind <kind>' argument 'x' is invalid. Allowed choices are incident, account-issue; see `triage incidents --help`",
    ]);
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('says what to do when the local stack is not running', async () => {
    const io = captureIo();
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const fetchFn = jest.fn(async () => {
      throw refused;
    });
    expect(await main(['incidents', ...stackArgs], io, { fetch: fetchFn })).toBe(1);
    expect(io.errors[0]).toBe(
      `triage incidents: cannot reach http://127.0.0.1:3999: nothing is listening there — is \`npm start\` running? (${stackArgs[1]} is from the last one started)`,
    );
  });

  it('needs a token when the stack file has none', async () => {
    {
      const file = join(dir, 'outputs.json');
      writeFileSync(
        file,
        JSON.stringify({
          S: { StateTableName: 't', WebhookUrl: 'https://x.test/v1/events', Region: 'eu-west-1' },
        }),
      );
      const io = captureIo();
      expect(await main(['incidents', '--outputs', file], io, { env: {} })).toBe(2);
      expect(io.errors[0]).toMatch(/no API token/);
    }
  });
});
