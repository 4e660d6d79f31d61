jest.setTimeout(60_000);

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../functions/adapters/state-repository';
import { TokenStore } from '../../functions/adapters/token-store';
import type { IncidentView } from '../../functions/core/incidents';
import { type StackProcess, startStackProcess } from '../helpers/local-stack-process';
import { post, Subscriber } from '../helpers/subscriber';

/**
 * On-call operations through `npm start`: token scopes, the read API, silences and acknowledgements. Short
 * windows: an incident resolves 2 s after its last error (a 500 stamped a minute ahead stays open for that
 * minute) and reminds every 2 s.
 */
interface IncidentsAnswer {
  incidents: IncidentView[];
  nextToken?: string;
  error: { status: number; type: string; details: { path: string }[] };
}

interface SilenceAnswer {
  incident: IncidentView;
  silence: { id: string; state: string };
  silences: { id: string; state: string }[];
  error: { status: number; type: string; details: { path: string; message: string }[] };
}

const POLICY = {
  incidents: {
    persistence: { windowSeconds: 2, minSpanSeconds: 0 },
    resolveAfterQuietSeconds: 2,
    reminderIntervalSeconds: 2,
  },
};

describe('on call end to end (local stack)', () => {
  let stack: StackProcess;
  let tokens: TokenStore;
  let readToken: string;
  let support: Subscriber;

  beforeAll(async () => {
    // Run-time silences are re-read every second (30 s deployed, 5 s by default locally).
    process.env.SILENCE_CACHE_SECONDS = '1';
    stack = await startStackProcess({ config: { policy: POLICY } });
    support = await Subscriber.create(stack.info, 'supportEscalations');
    tokens = new TokenStore({
      tableName: stack.info.tableName,
      cacheSeconds: 0,
      documentClient: createDocumentClient(
        new DynamoDBClient({
          region: stack.info.region,
          endpoint: stack.info.endpoints.dynamodb,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
      ),
    });
    readToken = (await tokens.create({ app: 'dashboard', scope: 'read' }, new Date())).token;
  }, 90_000);

  afterAll(async () => {
    delete process.env.SILENCE_CACHE_SECONDS;
    await stack?.stop();
  });

  it('writes an ingest token and an admin token to the stack file, and prints both', async () => {
    await expect(tokens.verify(stack.info.token)).resolves.toMatchObject({ scope: 'ingest' });
    await expect(tokens.verify(stack.info.adminToken)).resolves.toMatchObject({ scope: 'admin' });
    expect(stack.output()).toContain(stack.info.adminToken);
  });

  it('lets ingest and admin tokens post events, answers 403 to a read token and 401 to none', async () => {
    const event = { status: 429, model: 'accounts/e2e/models/scopes' };

    expect((await post(stack.info, event)).status).toBe(202);
    expect((await post(stack.info, event, { token: stack.info.adminToken })).status).toBe(202);
    const refused = await post(stack.info, event, { token: readToken });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { status: 403, type: 'forbidden' } });
    expect((await post(stack.info, event, { token: null })).status).toBe(401);
    expect((await post(stack.info, event, { token: `fet_${'x'.repeat(43)}` })).status).toBe(401);
  });

  async function call(path: string, method: string, token: string | null, body?: unknown) {
    const response = await fetch(new URL(path, stack.info.webhookUrl), {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as SilenceAnswer,
    };
  }

  async function get(query = '', token: string | null = readToken, method = 'GET') {
    const response = await fetch(`${stack.info.incidentsUrl}${query}`, {
      method,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as IncidentsAnswer,
    };
  }

  async function until<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('lists an open incident with state=open, and a resolved one with state=resolved', async () => {
    const openModel = `accounts/e2e/models/open-${randomUUID()}`;
    const shortModel = `accounts/e2e/models/short-${randomUUID()}`;
    const aheadBy = 60_000;
    expect(
      (
        await post(stack.info, {
          status: 500,
          model: openModel,
          occurredAt: new Date(Date.now() + aheadBy).toISOString(),
        })
      ).status,
    ).toBe(202);
    expect((await post(stack.info, { status: 500, model: shortModel })).status).toBe(202);

    const open = await until(
      () => get('?state=open'),
      (answer) => answer.json.incidents?.some((i) => i.model === openModel),
    );
    expect(open.status).toBe(200);
    expect(open.json.incidents.find((i) => i.model === openModel)).toMatchObject({
      kind: 'incident',
      status: 500,
      state: 'open',
      count: 1,
      statusCounts: { '500': 1 },
      subjectId: expect.stringMatching(/^inc-/),
    });

    const resolved = await until(
      () => get('?state=resolved&kind=incident'),
      (answer) => answer.json.incidents?.some((i) => i.model === shortModel),
    );
    expect(resolved.json.incidents.find((i) => i.model === shortModel)).toMatchObject({
      state: 'resolved',
      count: 1,
    });
    expect(resolved.json.incidents.every((i) => i.state === 'resolved')).toBe(true);

    // Paged: one per page until there is no nextToken; every incident once.
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await get(
        `?limit=1${next ? `&nextToken=${encodeURIComponent(next)}` : ''}`,
        stack.info.adminToken,
      );
      expect(page.status).toBe(200);
      seen.push(...page.json.incidents.map((i) => i.subjectId));
      next = page.json.nextToken;
    } while (next && seen.length < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses GET /v1/incidents to an ingest token (403) and to no token (401), bad queries with 400, other methods with 405', async () => {
    const forbidden = await get('', stack.info.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toMatchObject({ error: { status: 403, type: 'forbidden' } });
    expect((await get('', null)).status).toBe(401);
    const bad = await get('?state=closed&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d) => d.path).sort()).toEqual(['limit', 'state']);
    const wrongMethod = await get('', readToken, 'DELETE');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('silences a model at run time: its 500 pages no one, another model pages, and expiring sends the held notice', async () => {
    const silenced = `accounts/e2e/models/silenced-${randomUUID()}`;
    const paging = `accounts/e2e/models/paging-${randomUUID()}`;
    const created = await call('/v1/silences', 'POST', stack.info.adminToken, {
      model: [silenced],
      duration: '1h',
      comment: 'e2e: Fireworks maintenance',
    });
    expect(created.status).toBe(201);
    expect(created.json.silence).toMatchObject({ state: 'active', createdBy: 'local-admin' });
    const id = created.json.silence.id;
    // Triage sees it within its cache time.
    await new Promise((r) => setTimeout(r, 1_500));

    // Stamped a minute ahead: the incident stays open while the silence is expired (windows are 2 s here).
    const ahead = new Date(Date.now() + 60_000).toISOString();
    expect((await post(stack.info, { status: 500, model: silenced, occurredAt: ahead })).status).toBe(202);
    expect((await post(stack.info, { status: 500, model: paging, occurredAt: ahead })).status).toBe(202);
    await support.waitFor((n) => n.body.model === paging, { timeoutMs: 10_000 });
    await support.collectFor(2_000);
    expect(support.received.filter((n) => n.body.model === silenced)).toEqual([]);

    const open = await until(
      () => get('?state=open'),
      (answer) => answer.json.incidents?.some((i) => i.model === silenced),
    );
    expect(open.json.incidents.find((i) => i.model === silenced)).toMatchObject({
      state: 'open',
      silencedBy: id,
    });
    expect(
      (await call('/v1/silences?state=active', 'GET', readToken)).json.silences.map((x) => x.id),
    ).toContain(id);

    const expired = await call(`/v1/silences/${id}`, 'DELETE', stack.info.adminToken);
    expect(expired.status).toBe(200);
    expect(expired.json.silence.state).toBe('expired');
    const [held] = await support.waitFor((n) => n.body.model === silenced, { timeoutMs: 15_000 });
    expect(held?.body).toMatchObject({ kind: 'incident.opened', delayedBySilence: id });
  });

  it('refuses silences to ingest tokens (403), changes to read tokens (403), no token (401), and a silence without matchers (400)', async () => {
    const body = { model: ['m'], duration: '1h', comment: 'x' };
    for (const [path, method] of [
      ['/v1/silences', 'GET'],
      ['/v1/silences', 'POST'],
      ['/v1/silences/sil-x', 'DELETE'],
    ] as const) {
      const forbidden = await call(path, method, stack.info.token, method === 'POST' ? body : undefined);
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.error.type).toBe('forbidden');
      expect((await call(path, method, null, method === 'POST' ? body : undefined)).status).toBe(401);
    }
    expect((await call('/v1/silences', 'POST', readToken, body)).status).toBe(403);
    const noMatcher = await call('/v1/silences', 'POST', stack.info.adminToken, {
      duration: '1h',
      comment: 'all',
    });
    expect(noMatcher.status).toBe(400);
    expect(noMatcher.json.error.details[0]?.message).toMatch(/at least one matcher/);
    expect((await call('/v1/silences/sil-unknown', 'DELETE', stack.info.adminToken)).status).toBe(404);
    const wrong = await call('/v1/silences', 'PATCH', stack.info.adminToken);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('acknowledges an incident: one incident.acknowledged, and no reminder after it', async () => {
    const model = `accounts/e2e/models/acked-${randomUUID()}`;
    const ahead = new Date(Date.now() + 60_000).toISOString();
    expect((await post(stack.info, { status: 500, model, occurredAt: ahead })).status).toBe(202);
    // Reminders come every 2 s until someone acknowledges.
    const [opened] = await support.waitFor((n) => n.body.model === model, { timeoutMs: 10_000 });
    await support.waitFor((n) => n.body.model === model && n.body.kind === 'incident.reminder', {
      timeoutMs: 10_000,
    });
    const subjectId = String(opened?.body.subjectId);

    const acked = await call(`/v1/incidents/${subjectId}/ack`, 'POST', stack.info.adminToken, {
      by: 'alice',
      comment: 'on it',
    });
    expect(acked.status).toBe(200);
    expect(acked.json.incident).toMatchObject({ subjectId, state: 'open', acknowledgedBy: 'alice' });
    const [notice] = await support.waitFor(
      (n) => n.body.model === model && n.body.kind === 'incident.acknowledged',
      { timeoutMs: 10_000 },
    );
    expect(notice?.body).toMatchObject({ subjectId, acknowledgedBy: 'alice', acknowledgeComment: 'on it' });
    expect(notice?.attributes.kind).toBe('incident.acknowledged');

    await support.collectFor(5_000);
    const mine = support.received.filter((n) => n.body.model === model);
    const reminderTimes = mine
      .filter((n) => n.body.kind === 'incident.reminder')
      .map((n) => String(n.body.at));
    expect(reminderTimes.every((at) => at < String(notice?.body.at))).toBe(true);
    expect(mine.filter((n) => n.body.kind === 'incident.acknowledged')).toHaveLength(1);
    const open = await get('?state=open');
    expect(open.json.incidents.find((i) => i.subjectId === subjectId)?.acknowledgedBy).toBe('alice');

    const again = await call(`/v1/incidents/${subjectId}/ack`, 'POST', stack.info.adminToken, { by: 'bob' });
    expect(again.status).toBe(409);
    expect(
      (await call('/v1/incidents/inc-unknown/ack', 'POST', stack.info.adminToken, { by: 'bob' })).status,
    ).toBe(404);
    expect(
      (await call(`/v1/incidents/${subjectId}/ack`, 'POST', stack.info.token, { by: 'bob' })).status,
    ).toBe(403);
    expect((await call(`/v1/incidents/${subjectId}/ack`, 'POST', readToken, { by: 'bob' })).status).toBe(403);
    expect((await call(`/v1/incidents/${subjectId}/ack`, 'POST', null, { by: 'bob' })).status).toBe(401);
    expect((await call(`/v1/incidents/${subjectId}/ack`, 'POST', stack.info.adminToken, {})).status).toBe(
      400,
    );
  });
});
