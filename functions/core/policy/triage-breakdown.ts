import type { EventBatch } from './types';

/** Errors of one (status, model, account, app) combination; absent fields were absent on the events. */
export interface TriageCount {
  readonly status: number;
  readonly model?: string;
  readonly account?: string;
  readonly app?: string;
  readonly n: number;
}

export interface TriageBreakdown {
  /** The most frequent combinations first, at most `limit`. */
  readonly counts: readonly TriageCount[];
  /** What did not fit in `limit`, so that totals still add up. */
  readonly omitted?: { readonly combinations: number; readonly events: number };
}

/** Log lines stay far below CloudWatch's 256 KB event limit (~100 bytes per combination). */
const MAX_BREAKDOWN_COMBINATIONS = 200;

/** A combination as it is counted: absent fields are undefined here and left out of the result. */
interface Tally {
  readonly status: number;
  readonly model: string | undefined;
  readonly account: string | undefined;
  readonly app: string | undefined;
  n: number;
}

type ByApp = Map<string | undefined, Tally>;
type ByAccount = Map<string | undefined, ByApp>;
type ByModel = Map<string | undefined, ByAccount>;

/**
 * Events per (status, model, account, app) over `batches`: the breakdown the per-status counter records no
 * longer keep (one record per status keeps writes per batch small). The triage handler logs it once per
 * invocation, for CloudWatch Logs Insights. Counted in nested maps by field value, not by a key string
 * per event, and consecutive events of the same combination (a storm) skip the lookups.
 */
export function triageBreakdown(
  batches: readonly EventBatch[],
  limit: number = MAX_BREAKDOWN_COMBINATIONS,
): TriageBreakdown {
  const byStatus = new Map<number, ByModel>();
  const tallies: Tally[] = [];
  let last: Tally | undefined;
  for (const batch of batches) {
    for (const { status, model, account, app } of batch.events) {
      if (
        last !== undefined &&
        last.status === status &&
        last.model === model &&
        last.account === account &&
        last.app === app
      ) {
        last.n++;
        continue;
      }
      let byModel = byStatus.get(status);
      if (byModel === undefined) {
        byModel = new Map();
        byStatus.set(status, byModel);
      }
      let byAccount = byModel.get(model);
      if (byAccount === undefined) {
        byAccount = new Map();
        byModel.set(model, byAccount);
      }
      let byApp = byAccount.get(account);
      if (byApp === undefined) {
        byApp = new Map();
        byAccount.set(account, byApp);
      }
      let tally = byApp.get(app);
      if (tally === undefined) {
        tally = { status, model, account, app, n: 0 };
        byApp.set(app, tally);
        tallies.push(tally);
      }
      tally.n++;
      last = tally;
    }
  }
  // Stable: equal counts keep the order of first appearance. Only what is kept becomes an output object.
  tallies.sort((a, b) => b.n - a.n || a.status - b.status);
  const kept = Math.min(limit, tallies.length);
  const counts: TriageCount[] = [];
  for (let i = 0; i < kept; i++) counts.push(countOf(tallies[i] as Tally));
  if (kept === tallies.length) return { counts };
  let events = 0;
  for (let i = kept; i < tallies.length; i++) events += (tallies[i] as Tally).n;
  return { counts, omitted: { combinations: tallies.length - kept, events } };
}

function countOf({ status, model, account, app, n }: Tally): TriageCount {
  const count: { status: number; model?: string; account?: string; app?: string; n?: number } = { status };
  if (model !== undefined) count.model = model;
  if (account !== undefined) count.account = account;
  if (app !== undefined) count.app = app;
  count.n = n;
  return count as TriageCount;
}
