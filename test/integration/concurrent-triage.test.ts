import { randomUUID } from 'node:crypto';
import { type CapacityRow, measureCapacity } from '../../bench/capacity/capacity-run';
import { stormBodies } from '../../bench/capacity/storm';
import { DEFAULT_POLICY } from '../../functions/core/policy';

/** What a run must get right at each K. */
const outcome = (row: CapacityRow) => ({
  k: row.k,
  lostEvents: row.lostEvents,
  doubleCountedEvents: row.doubleCountedEvents,
  duplicateNotifications: row.duplicateNotifications,
  lostNotifications: row.lostNotifications,
  deadLettered: row.deadLettered,
});
const EXACT = {
  lostEvents: 0,
  doubleCountedEvents: 0,
  duplicateNotifications: 0,
  lostNotifications: 0,
  deadLettered: 0,
};

/**
 * A small storm (5 events per message: 60 % on a hot incident, 25 % on a hot account group, the rest on 20
 * cold scopes) through K handlers of `design`, 50 messages per invocation, every 2nd invocation of the first
 * pass dying midway and every 7th message delivered twice.
 */
function stormThrough(
  design: 'shared' | 'scope-lane',
  messages: number,
  ks: number[],
  extra: { fifoDeduplication?: boolean } = {},
) {
  const run = randomUUID().slice(0, 8);
  return measureCapacity({
    ks,
    bodies: stormBodies({
      messages,
      eventsPerMessage: 5,
      coldScopes: 20,
      hotIncidentShare: 0.6,
      hotAccountShare: 0.25,
    }),
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
    config: DEFAULT_POLICY,
    batchSize: 50,
    crashEvery: 2,
    duplicateEvery: 7,
    requestLatencyMs: 0,
    tableName: (k) => `${design}-${run}-${k}`,
    design,
    ...extra,
  });
}

// The correctness half of the capacity bench (bench/parts/capacity.ts, docs/scaling.md) on a smaller storm:
// K real triage handlers at once on one dynalite table, with invocations dying midway, messages given back
// and messages delivered twice, every event counted once and one notification per transition at every K.
describe('triage handlers running concurrently (dynalite)', () => {
  it('counts every event exactly once and notifies each transition once at K = 1, 2, 4 and 8', async () => {
    // Six invocations of 50 messages die midway before any comes back: the hot scopes then hold 300
    // unsettled batches, more than the 256 the dedupe memory kept before issue 22 (it double-counted).
    const { rows, expected } = await stormThrough('shared', 600, [1, 2, 4, 8]);

    expect(expected.notices.size).toBeGreaterThan(2); // the hot scopes and some cold ones notify
    for (const row of rows) {
      expect(outcome(row)).toEqual({ ...EXACT, k: row.k });
      expect(row.events).toBe(600 * 5);
      // The failures really happened: invocations died midway and gave their messages back.
      expect(row.crashedInvocations).toBeGreaterThan(0);
      expect(row.messagesGivenBack).toBeGreaterThan(0);
    }
  }, 120_000);

  it('counts every event once through the scope lane with no conflict at K = 1, 4 and 8, duplicates reaching the lane', async () => {
    // Every copy of a part reaches the lane (as after FIFO's 5 minutes): the lane's exactly-once must hold.
    const { rows } = await stormThrough('scope-lane', 300, [1, 4, 8], { fifoDeduplication: false });

    for (const row of rows) {
      expect({ ...outcome(row), conflicts: row.conflictsPerWrite }).toEqual({
        ...EXACT,
        k: row.k,
        conflicts: 0,
      });
      expect(row.events).toBe(300 * 5);
      // Bulk invocations died after queueing some parts, and lane invocations after some writes.
      expect(row.crashedInvocations).toBeGreaterThan(0);
      expect(row.lane?.crashedInvocations).toBeGreaterThan(0);
    }
  }, 120_000);
});
