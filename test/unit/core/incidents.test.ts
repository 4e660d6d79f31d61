import { ValidationError } from '../../../functions/core/errors';
import {
  encodeCursor,
  type IncidentView,
  incidentPage,
  incidentSortKey,
  openIncidentView,
  parseIncidentQuery,
  resolvedIncidentView,
} from '../../../functions/core/incidents';
import { DEFAULT_POLICY, parsePolicyConfig } from '../../../functions/core/policy';
import type { SubjectScope } from '../../../functions/core/policy/scope-state';
import { event, MIN, MODEL, PolicyStore, SEC } from './policy/policy-harness';

const view = (subjectId: string, lastSeen: string, fields: Partial<IncidentView> = {}): IncidentView => ({
  subjectId,
  kind: 'incident',
  status: 500,
  statusCounts: { '500': 1 },
  state: 'open',
  openedAt: lastSeen,
  lastSeen,
  count: 1,
  ...fields,
});

function subjectScope(store: PolicyStore, key: string): SubjectScope {
  const state = store.states.get(key);
  if (!state || state.kind === 'counter') throw new Error(`no subject scope ${key}`);
  return state;
}

describe('incident views', () => {
  it('shows an open incident as its notifications describe it', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const [opened] = store.apply([event(500, 0), event(500, 30 * SEC)], MIN);
    const scope = subjectScope(store, `incident#immediate#model#${MODEL}`);

    expect(openIncidentView(scope)).toEqual({
      subjectId: opened?.subjectId,
      kind: 'incident',
      status: 500,
      statusCounts: { '500': 2 },
      model: MODEL,
      state: 'open',
      openedAt: '2026-11-25T15:00:00.000Z',
      lastSeen: '2026-11-25T15:00:30.000Z',
      count: 2,
    });
  });

  it('shows an account issue with its account, and the silence holding its notice back', () => {
    const config = parsePolicyConfig({
      silences: [
        {
          id: 'billing-migration',
          startsAt: '2026-11-25T00:00:00Z',
          endsAt: '2026-11-26T00:00:00Z',
          accounts: ['acme'],
        },
      ],
    });
    const store = new PolicyStore(config);
    store.apply([event(402, 0, { account: 'acme' })], 0);
    store.sweepEveryMinute(0, 2 * MIN);
    const scope = subjectScope(store, 'account#acme#402');

    expect(openIncidentView(scope)).toMatchObject({
      kind: 'account-issue',
      status: 402,
      account: 'acme',
      state: 'open',
      silencedBy: 'billing-migration',
    });
  });

  it('has no open view for a scope without a current subject', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(503, 0)], 0);
    expect(openIncidentView(subjectScope(store, `incident#persistent#model#${MODEL}`))).toBeUndefined();
  });

  it('shows a resolve as a resolved view, and nothing for other notices', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const [opened] = store.apply([event(500, 0)], 0);
    const resolved = store.sweep(20 * MIN).find((n) => n.kind === 'incident.resolved');

    expect(opened && resolvedIncidentView(opened)).toBeUndefined();
    expect(resolved && resolvedIncidentView(resolved)).toMatchObject({
      subjectId: opened?.subjectId,
      state: 'resolved',
      count: 1,
      lastSeen: '2026-11-25T15:00:00.000Z',
    });
  });
});

describe('GET /v1/incidents query', () => {
  it('defaults to 50 per page and no filter', () => {
    expect(parseIncidentQuery({})).toEqual({ limit: 50 });
    expect(parseIncidentQuery(undefined)).toEqual({ limit: 50 });
  });

  it('reads every filter and the page cursor', () => {
    const after = '2026-11-25T15:00:00.000Z#inc-1';
    expect(
      parseIncidentQuery({
        state: 'open',
        kind: 'account-issue',
        account: 'acme',
        limit: '10',
        nextToken: encodeCursor(after),
      }),
    ).toEqual({ state: 'open', kind: 'account-issue', account: 'acme', limit: 10, after });
  });

  it('names every bad parameter', () => {
    let error: unknown;
    try {
      parseIncidentQuery({ state: 'closed', kind: 'x', limit: '0', nextToken: 'garbage', sort: 'asc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).details.map((d) => d.path).sort();
    expect(paths).toEqual(['kind', 'limit', 'nextToken', 'sort', 'state']);
    expect(() => parseIncidentQuery({ limit: '101' })).toThrow(/limit: expected an integer from 1 to 100/);
    expect(() => parseIncidentQuery({ limit: 'ten' })).toThrow(/limit/);
  });
});

describe('incident pages', () => {
  const a = view('inc-a', '2026-11-25T15:03:00.000Z');
  const b = view('acct-b', '2026-11-25T15:02:00.000Z', {
    kind: 'account-issue',
    account: 'acme',
    state: 'resolved',
  });
  const c = view('inc-c', '2026-11-25T15:01:00.000Z', { state: 'resolved' });

  it('lists newest first, filtered by state, kind and account', () => {
    expect(incidentPage([c, a, b], { limit: 50 }, false).incidents).toEqual([a, b, c]);
    expect(incidentPage([c, a, b], { limit: 50, state: 'resolved' }, false).incidents).toEqual([b, c]);
    expect(incidentPage([c, a, b], { limit: 50, kind: 'account-issue' }, false).incidents).toEqual([b]);
    expect(incidentPage([c, a, b], { limit: 50, account: 'acme' }, false).incidents).toEqual([b]);
  });

  it('pages with a nextToken that starts the next page after the last one shown', () => {
    const first = incidentPage([c, a, b], { limit: 2 }, false);
    expect(first.incidents).toEqual([a, b]);
    const after = parseIncidentQuery({ limit: '2', nextToken: first.nextToken }).after;
    expect(after).toBe(incidentSortKey(b));
    const second = incidentPage([c, a, b], { limit: 2, ...(after ? { after } : {}) }, false);
    expect(second).toEqual({ incidents: [c] });
  });

  it('shows an incident that resolved between two reads once, as its newer reading', () => {
    const stillOpen = view('inc-x', '2026-11-25T15:00:00.000Z');
    const resolved = view('inc-x', '2026-11-25T15:00:10.000Z', { state: 'resolved' });
    expect(incidentPage([stillOpen, resolved], { limit: 50 }, false).incidents).toEqual([resolved]);
  });

  it('gives a nextToken when more resolved ones remain unread', () => {
    expect(incidentPage([a], { limit: 50 }, true).nextToken).toBe(encodeCursor(incidentSortKey(a)));
  });
});
