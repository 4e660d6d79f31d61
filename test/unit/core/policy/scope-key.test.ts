import type { TriageEvent } from '../../../../functions/core/event';
import { DEFAULT_POLICY, parsePolicyConfig } from '../../../../functions/core/policy';
import { splitBatch } from '../../../../functions/core/policy/batch-split';
import { describeScope } from '../../../../functions/core/policy/scope-key';
import * as reference from './reference-engine/scope-key';

/**
 * The scope of an event is looked up in a per-status table for statuses 100–599; anything else takes the
 * general rules. Both must give the reference engine's scope for every status, under any config.
 */

const OTHER = parsePolicyConfig({
  incidents: { immediateStatuses: [502, 520] },
  accountIssues: { statuses: [401, 429] },
});

const variants = (status: number): TriageEvent[] => [
  { id: 'a', status },
  { id: 'b', status, model: 'accounts/fireworks/models/m', account: 'acme', app: 'shop' },
  { id: 'c', status, endpoint: '/v1/chat/completions', account: 'initech' },
  { id: 'd', status, account: 'acme', message: 'LoRA adapter failed to load' },
  { id: 'e', status, message: 'account is suspended' },
];

const statuses = [
  ...Array.from({ length: 502 }, (_, i) => 99 + i), // 99–600: both ends of the table and past them
  503.5,
  -1,
  1e6,
];

describe('scope keys', () => {
  it.each([
    ['the defaults', DEFAULT_POLICY],
    ['another config', OTHER],
  ])('are the reference engine’s for every status and field mix under %s', (_name, config) => {
    const differ: string[] = [];
    for (const status of statuses) {
      for (const event of variants(status)) {
        const got = describeScope(event, config).key;
        const want = reference.describeScope(event, config).key;
        if (got !== want) differ.push(`${status} ${event.id}: ${got} ≠ ${want}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('group a batch by scope, one run per scope in order of first appearance, whatever the split before it', () => {
    const events = statuses.flatMap(variants);
    const batch = { batchId: 'b-1', receivedAt: 1_800_000_000_000, events };
    // Another batch split first leaves its stamps in the shared table: they must not leak into this split.
    splitBatch({ batchId: 'b-0', receivedAt: 1, events: events.slice(0, 40) }, DEFAULT_POLICY);
    const split = splitBatch(batch, DEFAULT_POLICY);
    const byKey = new Map<string, string[]>();
    for (const event of events) {
      const key = describeScope(event, DEFAULT_POLICY).key;
      byKey.set(key, [...(byKey.get(key) ?? []), `${event.id}${event.status}`]);
    }
    expect(split.keys).toEqual([...byKey.keys()]);
    split.runs.forEach((run, g) => {
      const ids = run.events.slice(run.start, run.end).map((event) => `${event.id}${event.status}`);
      expect(ids).toEqual(byKey.get(split.keys[g] as string));
    });
  });
});
