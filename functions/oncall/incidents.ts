import type { IncidentHistory } from '../adapters/incident-history';
import type { StateRepository } from '../adapters/state-repository';
import {
  type IncidentQuery,
  type IncidentView,
  incidentPage,
  matchesIncidentQuery,
  openIncidentView,
} from '../core/incidents';
import type { ScopeState } from '../core/policy';

/** Open subjects always have a due time (a reminder or a resolve), so all of them are in the due index. */
const MAX_OPEN_SCOPES = 5000;

export interface IncidentSources {
  readonly repository: Pick<StateRepository<ScopeState>, 'dueScopes'>;
  readonly history: Pick<IncidentHistory, 'resolved'>;
}

/** The open incidents and account issues: every scope in the due index with a current subject. */
async function openIncidents(sources: IncidentSources): Promise<IncidentView[]> {
  const scopes = await sources.repository.dueScopes(Number.MAX_SAFE_INTEGER, MAX_OPEN_SCOPES);
  const views: IncidentView[] = [];
  for (const scope of scopes) {
    if (scope.kind === 'counter') continue;
    const view = openIncidentView(scope);
    if (view) views.push(view);
  }
  return views;
}

/** One page of `GET /v1/incidents`: open ones from the scope records, resolved ones from the history. */
export async function listIncidents(query: IncidentQuery, sources: IncidentSources) {
  const open = query.state === 'resolved' ? [] : await openIncidents(sources);
  const resolved =
    query.state === 'open'
      ? { views: [], more: false }
      : await sources.history.resolved(query.after, query.limit + 1, (view) =>
          matchesIncidentQuery(view, query),
        );
  return incidentPage([...open, ...resolved.views], query, resolved.more);
}
