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
export const MAX_BREAKDOWN_COMBINATIONS = 200;

// Separates key parts and stands for an absent value: neither can occur in a validated event field.
const SEPARATOR = '\u0000';
const ABSENT = '\u0001';

/**
 * Events per (status, model, account, app) over `batches`: the breakdown the per-status counter records no
 * longer keep (one record per status keeps writes per batch small). The triage handler logs it once per
 * invocation, for CloudWatch Logs Insights.
 */
export function triageBreakdown(
  batches: readonly EventBatch[],
  limit: number = MAX_BREAKDOWN_COMBINATIONS,
): TriageBreakdown {
  const byKey = new Map<
    string,
    { status: number; model?: string; account?: string; app?: string; n: number }
  >();
  for (const batch of batches) {
    for (const { status, model, account, app } of batch.events) {
      const key = `${status}${SEPARATOR}${model ?? ABSENT}${SEPARATOR}${account ?? ABSENT}${SEPARATOR}${app ?? ABSENT}`;
      const found = byKey.get(key);
      if (found) found.n++;
      else {
        byKey.set(key, {
          status,
          ...(model !== undefined ? { model } : {}),
          ...(account !== undefined ? { account } : {}),
          ...(app !== undefined ? { app } : {}),
          n: 1,
        });
      }
    }
  }
  const all = [...byKey.values()].sort((a, b) => b.n - a.n || a.status - b.status);
  if (all.length <= limit) return { counts: all };
  const rest = all.slice(limit);
  return {
    counts: all.slice(0, limit),
    omitted: { combinations: rest.length, events: rest.reduce((sum, count) => sum + count.n, 0) },
  };
}
