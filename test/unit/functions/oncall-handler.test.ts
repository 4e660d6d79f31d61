import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenIdentity } from '../../../functions/adapters/token-store';
import { encodeCursor, type IncidentView } from '../../../functions/core/incidents';
import { DEFAULT_POLICY, type ScopeState } from '../../../functions/core/policy';
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

function request(
  options: { method?: string; path?: string; token?: string | null; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const base = getCodes();
  const method = options.method ?? 'GET';
  const path = options.path ?? '/v1/incidents';
  const token = options.token === undefined ? READ : options.token;
  const headers: Record<string, string | undefined> = { ...base.headers };
  delete headers.authorization;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return {
    ...base,
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
  const scopes = [...store.states.values()];
  const repository = { dueScopes: jest.fn(async () => scopes as ScopeState[]) };
  const history = { resolved: jest.fn(async () => ({ views: [resolvedView], more: false })) };
  const tokens = { verify: jest.fn(async (token: string) => TOKENS[token]) };
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const handler = createOnCallHandler({
    tokens,
    repository,
    history,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
  });
  const call = async (options: Parameters<typeof request>[0] = {}) => {
    const result = await handler(request(options), lambdaContext());
    return { ...result, json: JSON.parse(result.body) };
  };
  return { call, repository, history, tokens };
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
