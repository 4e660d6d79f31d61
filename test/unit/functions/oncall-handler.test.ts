import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenIdentity } from '../../../functions/adapters/token-store';
import { encodeCursor, type IncidentView } from '../../../functions/core/incidents';
import { DEFAULT_POLICY, type ScopeState } from '../../../functions/core/policy';
import type { RuntimeSilence } from '../../../functions/core/silences';
import { createOnCallHandler } from '../../../functions/oncall/oncall';
import { getCodes, lambdaContext } from '../../fixtures/apigw';
import { event, MIN, PolicyStore } from '../core/policy/policy-harness';

const TOKENS: Record<string, TokenIdentity> = {
  [`fet_${'r'.repeat(43)}`]: { tokenId: 'rrrrrrrrrrrr', app: 'dashboard', scope: 'read' },
  [`fet_${'a'.repeat(43)}`]: { tokenId: 'aaaaaaaaaaaa', app: 'oncall', scope: 'admin' },
  [`fet_${'i'.repeat(43)}`]: { tokenId: 'iiiiiiiiiiii', app: 'checkout', scope: 'ingest' },
};
const READ = `fet_${'r'.repeat(43)}`;
const ADMIN = `fet_${'a'.repeat(43)}`;
const INGEST = `fet_${'i'.repeat(43)}`;

const resolvedView: IncidentView = {
  subjectId: 'inc-old-1',
  kind: 'incident',
  status: 503,
  statusCounts: { '503': 7 },
  model: 'm-old',
  state: 'resolved',
  openedAt: '2026-11-24T10:00:00.000Z',
  lastSeen: '2026-11-24T10:05:00.000Z',
  count: 7,
};

/** An in-memory silence store with the real one's contract. */
function fakeSilences() {
  const stored = new Map<string, RuntimeSilence>();
  return {
    stored,
    create: jest.fn(async (silence: RuntimeSilence) => {
      if (stored.has(silence.id)) throw new Error('exists');
      stored.set(silence.id, silence);
    }),
    get: jest.fn(async (id: string) => stored.get(id)),
    replace: jest.fn(async (silence: RuntimeSilence) => {
      stored.set(silence.id, silence);
    }),
    list: jest.fn(async () => [...stored.values()]),
  };
}

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function request(
  options: {
    method?: string;
    path?: string;
    token?: string | null;
    query?: Record<string, string>;
    body?: unknown;
    contentType?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const base = getCodes();
  const method = options.method ?? 'GET';
  const path = options.path ?? '/v1/incidents';
  const token = options.token === undefined ? READ : options.token;
  const headers: Record<string, string | undefined> = { ...base.headers };
  delete headers.authorization;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return {
    ...base,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
    rawPath: path,
    routeKey: `${method} ${path}`,
    headers,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method, path } },
  };
}

function setup() {
  // One open 500 incident, from the real engine.
  const store = new PolicyStore(DEFAULT_POLICY);
  store.apply([event(500, 0)], MIN);
  const scopes = new Map(store.states);
  const repository = {
    dueScopes: jest.fn(async () => [...scopes.values()] as ScopeState[]),
    get: jest.fn(async (key: string) => scopes.get(key)),
    save: jest.fn(async (state: ScopeState) => {
      scopes.set(state.key, state);
    }),
  };
  const notifier = { publish: jest.fn(async () => 'message-id') };
  const history = {
    resolved: jest.fn(
      async (_before: string | undefined, _wanted: number, keep: (v: IncidentView) => boolean) => ({
        views: [resolvedView].filter(keep),
        more: false,
      }),
    ),
  };
  const tokens = { verify: jest.fn(async (token: string) => TOKENS[token]) };
  const silences = fakeSilences();
  const logger = new Logger({ logLevel: 'SILENT' });
  const info = jest.spyOn(logger, 'info');
  let n = 0;
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const handler = createOnCallHandler({
    tokens,
    repository,
    history,
    silences,
    notifier,
    config: DEFAULT_POLICY,
    clock: () => NOW,
    newId: () => `sil-${++n}`,
    logger,
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
  });
  const call = async (options: Parameters<typeof request>[0] = {}) => {
    const result = await handler(request(options), lambdaContext());
    return { ...result, json: JSON.parse(result.body) };
  };
  const audits = () =>
    info.mock.calls
      .filter(([message]) => message === 'audit')
      .map(([, extra]) => (extra as { audit: unknown }).audit);
  return { call, repository, history, tokens, silences, audits, notifier, scopes };
}

describe('on-call handler: GET /v1/incidents', () => {
  it('lists open incidents from the scope records and resolved ones from the history, newest first', async () => {
    const { call } = setup();
    const result = await call();
    expect(result.statusCode).toBe(200);
    expect(result.json.incidents.map((i: IncidentView) => [i.state, i.status])).toEqual([
      ['open', 500],
      ['resolved', 503],
    ]);
    expect(result.json).not.toHaveProperty('nextToken');
  });

  it('reads only the scope records for state=open, only the history for state=resolved', async () => {
    const open = setup();
    expect((await open.call({ query: { state: 'open' } })).json.incidents).toHaveLength(1);
    expect(open.history.resolved).not.toHaveBeenCalled();
    const resolved = setup();
    expect((await resolved.call({ query: { state: 'resolved' } })).json.incidents).toEqual([resolvedView]);
    expect(resolved.repository.dueScopes).not.toHaveBeenCalled();
  });

  it('pages: limit=1 gives a nextToken that leads to the rest', async () => {
    const { call, history } = setup();
    const first = await call({ query: { limit: '1' } });
    expect(first.json.incidents).toHaveLength(1);
    expect(typeof first.json.nextToken).toBe('string');
    const second = await call({ query: { limit: '1', nextToken: first.json.nextToken } });
    expect(second.json.incidents).toEqual([resolvedView]);
    expect(history.resolved).toHaveBeenLastCalledWith(
      expect.stringMatching(/#inc-/),
      2,
      expect.any(Function),
    );
  });

  it('lets an admin token read too', async () => {
    const { call } = setup();
    expect((await call({ token: ADMIN })).statusCode).toBe(200);
  });

  it('answers 403 forbidden to an ingest token and 401 to none, reading nothing', async () => {
    const { call, repository, history } = setup();
    const forbidden = await call({ token: INGEST });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json.error).toMatchObject({ status: 403, type: 'forbidden' });
    const missing = await call({ token: null });
    expect(missing.statusCode).toBe(401);
    expect(missing.json.error.type).toBe('unauthorized');
    expect((await call({ token: `fet_${'u'.repeat(43)}` })).statusCode).toBe(401);
    expect(repository.dueScopes).not.toHaveBeenCalled();
    expect(history.resolved).not.toHaveBeenCalled();
  });

  it('answers 400 naming each bad query parameter', async () => {
    const { call } = setup();
    const result = await call({
      query: { state: 'closed', limit: '1000', nextToken: encodeCursor('nope'), colour: 'red' },
    });
    expect(result.statusCode).toBe(400);
    expect(result.json.error.type).toBe('invalid_request');
    expect(result.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'colour',
      'limit',
      'nextToken',
      'state',
    ]);
  });

  it('answers 405 with Allow: GET for other methods, before looking at the token', async () => {
    const { call, tokens } = setup();
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const result = await call({ method, token: null });
      expect(result.statusCode).toBe(405);
      expect(result.headers.allow).toBe('GET');
      expect(result.json.error.type).toBe('method_not_allowed');
    }
    expect(tokens.verify).not.toHaveBeenCalled();
  });

  it('answers 503 when the token store cannot be read, and never 500 for it', async () => {
    const { call, tokens } = setup();
    tokens.verify.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const result = await call();
    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('ECONNREFUSED');
  });
});

describe('on-call handler: silences', () => {
  const body = { model: ['m1'], status: [500], duration: '2h', comment: 'Fireworks maintenance' };

  it('creates a silence with POST (admin), 201 with its state, and writes one audit line', async () => {
    const { call, silences, audits } = setup();
    const result = await call({ method: 'POST', path: '/v1/silences', token: ADMIN, body });
    expect(result.statusCode).toBe(201);
    expect(result.headers.location).toBe('/v1/silences/sil-1');
    expect(result.json.silence).toEqual({
      id: 'sil-1',
      model: ['m1'],
      status: [500],
      startsAt: '2026-12-01T12:00:00.000Z',
      endsAt: '2026-12-01T14:00:00.000Z',
      comment: 'Fireworks maintenance',
      createdBy: 'oncall',
      createdAt: '2026-12-01T12:00:00.000Z',
      state: 'active',
    });
    expect(silences.stored.get('sil-1')).toMatchObject({ model: ['m1'] });
    expect(audits()).toEqual([
      expect.objectContaining({
        action: 'silence.create',
        tokenId: 'aaaaaaaaaaaa',
        app: 'oncall',
        at: '2026-12-01T12:00:00.000Z',
        silenceId: 'sil-1',
      }),
    ]);
  });

  it('says pending for a silence that starts later, and lists by state', async () => {
    const { call } = setup();
    await call({ method: 'POST', path: '/v1/silences', token: ADMIN, body });
    const later = await call({
      method: 'POST',
      path: '/v1/silences',
      token: ADMIN,
      body: {
        app: ['batch'],
        startsAt: '2026-12-02T00:00:00Z',
        endsAt: '2026-12-02T01:00:00Z',
        comment: 'x',
      },
    });
    expect(later.json.silence.state).toBe('pending');
    const all = await call({ path: '/v1/silences' });
    expect(all.json.silences.map((s: { id: string }) => s.id)).toEqual(['sil-2', 'sil-1']);
    const pending = await call({ path: '/v1/silences', query: { state: 'pending' } });
    expect(pending.json.silences.map((s: { id: string }) => s.id)).toEqual(['sil-2']);
  });

  it('expires a silence with DELETE: 200 with state expired, its end moved to now, audited', async () => {
    const { call, silences, audits } = setup();
    await call({ method: 'POST', path: '/v1/silences', token: ADMIN, body });
    const result = await call({ method: 'DELETE', path: '/v1/silences/sil-1', token: ADMIN });
    expect(result.statusCode).toBe(200);
    expect(result.json.silence).toMatchObject({
      id: 'sil-1',
      state: 'expired',
      endsAt: '2026-12-01T12:00:00.000Z',
    });
    expect(silences.stored.get('sil-1')?.expiredAt).toBe('2026-12-01T12:00:00.000Z');
    expect(audits().map((a) => (a as { action: string }).action)).toEqual([
      'silence.create',
      'silence.expire',
    ]);
    // Again: still expired, nothing changes.
    expect(
      (await call({ method: 'DELETE', path: '/v1/silences/sil-1', token: ADMIN })).json.silence.state,
    ).toBe('expired');
  });

  it('answers 404 for an unknown silence id, and for an id that cannot be one', async () => {
    const { call } = setup();
    for (const path of ['/v1/silences/sil-404', `/v1/silences/${'x'.repeat(300)}`, '/v1/silences/a%20b']) {
      const result = await call({ method: 'DELETE', path, token: ADMIN });
      expect(result.statusCode).toBe(404);
      expect(result.json.error.type).toBe('not_found');
      expect((await call({ path })).statusCode).toBe(404);
    }
  });

  it('answers 400 naming each bad field, and for a silence without matchers', async () => {
    const { call, silences } = setup();
    const bad = await call({
      method: 'POST',
      path: '/v1/silences',
      token: ADMIN,
      body: { status: [700], model: 'm1', duration: 'soon', colour: 'red' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'colour',
      'comment',
      'duration',
      'model',
      'status[0]',
    ]);
    const noMatcher = await call({
      method: 'POST',
      path: '/v1/silences',
      token: ADMIN,
      body: { duration: '1h', comment: 'all' },
    });
    expect(noMatcher.statusCode).toBe(400);
    expect(noMatcher.json.error.details[0].message).toMatch(/at least one matcher/);
    const tooLong = await call({
      method: 'POST',
      path: '/v1/silences',
      token: ADMIN,
      body: { ...body, duration: '8d' },
    });
    expect(tooLong.json.error.details).toEqual([
      { path: 'duration', message: 'a silence may last at most 604800 seconds' },
    ]);
    for (const raw of ['{', '[]', 'null']) {
      expect((await call({ method: 'POST', path: '/v1/silences', token: ADMIN, body: raw })).statusCode).toBe(
        400,
      );
    }
    const notJson = await call({
      method: 'POST',
      path: '/v1/silences',
      token: ADMIN,
      body: 'x',
      contentType: 'text/plain',
    });
    expect(notJson.statusCode).toBe(415);
    expect(silences.create).not.toHaveBeenCalled();
  });

  it('lets read tokens list but not change silences; ingest tokens get 403 everywhere, no token 401', async () => {
    const { call, silences } = setup();
    expect((await call({ path: '/v1/silences' })).statusCode).toBe(200);
    expect((await call({ method: 'POST', path: '/v1/silences', token: READ, body })).statusCode).toBe(403);
    expect((await call({ method: 'DELETE', path: '/v1/silences/sil-1', token: READ })).statusCode).toBe(403);
    for (const [method, path] of [
      ['GET', '/v1/silences'],
      ['POST', '/v1/silences'],
      ['DELETE', '/v1/silences/sil-1'],
    ] as const) {
      expect((await call({ method, path, token: INGEST, body })).statusCode).toBe(403);
      expect((await call({ method, path, token: null, body })).statusCode).toBe(401);
    }
    expect(silences.create).not.toHaveBeenCalled();
  });

  it('answers 405 with Allow for other methods', async () => {
    const { call } = setup();
    const list = await call({ method: 'PUT', path: '/v1/silences', token: ADMIN });
    expect(list.statusCode).toBe(405);
    expect(list.headers.allow).toBe('GET, POST');
    const one = await call({ method: 'POST', path: '/v1/silences/sil-1', token: ADMIN });
    expect(one.statusCode).toBe(405);
    expect(one.headers.allow).toBe('GET, DELETE');
  });
});

describe('on-call handler: acknowledge', () => {
  async function openSubjectId(call: ReturnType<typeof setup>['call']): Promise<string> {
    const { json } = await call({ query: { state: 'open' } });
    return json.incidents[0].subjectId;
  }

  it('acknowledges an open incident: one incident.acknowledged with acknowledgedBy, saved, audited', async () => {
    const { call, notifier, audits, scopes } = setup();
    const id = await openSubjectId(call);
    const result = await call({
      method: 'POST',
      path: `/v1/incidents/${id}/ack`,
      token: ADMIN,
      body: { by: 'alice', comment: 'looking into it' },
    });
    expect(result.statusCode).toBe(200);
    expect(result.json.incident).toMatchObject({ subjectId: id, state: 'open', acknowledgedBy: 'alice' });
    expect(notifier.publish).toHaveBeenCalledTimes(1);
    expect(notifier.publish).toHaveBeenCalledWith(
      expect.objectContaining({
        kind: 'incident.acknowledged',
        topic: 'support',
        subjectId: id,
        acknowledgedBy: 'alice',
        acknowledgeComment: 'looking into it',
      }),
    );
    const [saved] = [...scopes.values()];
    expect(saved?.kind !== 'counter' && saved?.current?.acknowledgedBy).toBe('alice');
    expect(saved?.outbox).toEqual([]);
    expect(audits()).toEqual([
      expect.objectContaining({ action: 'incident.acknowledge', subjectId: id, by: 'alice' }),
    ]);
    expect((await call({ query: { state: 'open' } })).json.incidents[0].acknowledgedBy).toBe('alice');
  });

  it('answers 409 for a second acknowledgement and for a resolved incident, 404 for an unknown one', async () => {
    const { call, notifier } = setup();
    const id = await openSubjectId(call);
    const ack = (subjectId: string) =>
      call({ method: 'POST', path: `/v1/incidents/${subjectId}/ack`, token: ADMIN, body: { by: 'bob' } });
    expect((await ack(id)).statusCode).toBe(200);
    const again = await ack(id);
    expect(again.statusCode).toBe(409);
    expect(again.json.error).toMatchObject({
      type: 'conflict',
      message: expect.stringMatching(/already acknowledged by bob/),
    });
    const resolved = await ack('inc-old-1');
    expect(resolved.statusCode).toBe(409);
    expect(resolved.json.error.message).toMatch(/already resolved/);
    const unknown = await ack('inc-nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json.error.type).toBe('not_found');
    expect(notifier.publish).toHaveBeenCalledTimes(1);
  });

  it('answers 400 for a body without by, 403 to read and ingest tokens, 401 without one, 405 for GET', async () => {
    const { call, notifier } = setup();
    const id = await openSubjectId(call);
    const path = `/v1/incidents/${id}/ack`;
    const bad = await call({ method: 'POST', path, token: ADMIN, body: { comment: 7, extra: true } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'by',
      'comment',
      'extra',
    ]);
    expect((await call({ method: 'POST', path, token: READ, body: { by: 'x' } })).statusCode).toBe(403);
    expect((await call({ method: 'POST', path, token: INGEST, body: { by: 'x' } })).statusCode).toBe(403);
    expect((await call({ method: 'POST', path, token: null, body: { by: 'x' } })).statusCode).toBe(401);
    const get = await call({ method: 'GET', path, token: ADMIN });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(notifier.publish).not.toHaveBeenCalled();
  });
});
