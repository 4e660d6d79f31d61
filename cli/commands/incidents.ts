import type { IncidentView } from '../../functions/core/incidents';
import { printable } from '../../functions/core/safe-text';
import { ApiClient, type ApiOptions } from '../api-client';
import { type CliContext, EXIT } from '../io';
import { formatTable } from '../table';

export interface IncidentsOptions extends ApiOptions {
  readonly open?: boolean;
  readonly kind?: 'incident' | 'account-issue';
  readonly account?: string;
  readonly json?: boolean;
}

const HEADERS = [
  'SUBJECT',
  'KIND',
  'STATUS',
  'STATE',
  'COUNT',
  'MODEL / ACCOUNT',
  'OPENED',
  'LAST SEEN',
] as const;
/** Pages read for one listing; each holds up to 100. */
const MAX_PAGES = 20;

function row(view: IncidentView): string[] {
  const state = view.silencedBy ? `${view.state} (silenced)` : view.state;
  return [
    view.subjectId,
    view.kind,
    String(view.status),
    state,
    String(view.count),
    printable(view.model ?? view.account ?? '-'),
    view.openedAt,
    view.lastSeen,
  ];
}

/** `triage incidents`: the read API's list, newest first, every page of it. */
export async function run(values: IncidentsOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const api = new ApiClient(values, ctx);
  const query = new URLSearchParams({ limit: '100' });
  if (values.open) query.set('state', 'open');
  if (values.kind) query.set('kind', values.kind);
  if (values.account) query.set('account', values.account);

  const incidents: IncidentView[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = (await api.request('GET', `/v1/incidents?${query}`)) as {
      incidents?: IncidentView[];
      nextToken?: string;
    };
    incidents.push(...(answer.incidents ?? []));
    if (!answer.nextToken) break;
    query.set('nextToken', answer.nextToken);
  }

  if (values.json) {
    for (const incident of incidents) io.out(JSON.stringify(incident));
    return EXIT.ok;
  }
  if (incidents.length === 0) {
    io.err(values.open ? 'nothing is open' : 'no incidents or account issues');
    return EXIT.ok;
  }
  for (const line of formatTable(HEADERS, incidents.map(row))) io.out(line);
  return EXIT.ok;
}
