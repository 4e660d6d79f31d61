import { randomUUID } from 'node:crypto';
import { measureCapacity } from '../../bench/capacity/capacity-run';
import { stormBodies } from '../../bench/capacity/storm';
import { DEFAULT_POLICY } from '../../functions/core/policy';

// The correctness half of the capacity bench (bench/parts/capacity.ts, docs/scaling.md) on a smaller storm:
// K real triage handlers at once on one dynalite table, with invocations dying midway, messages given back
// and messages delivered twice, every event counted once and one notification per transition at every K.
describe('triage handlers running concurrently (dynalite)', () => {
  it('counts every event exactly once and notifies each transition once at K = 1, 2, 4 and 8', async () => {
    // Six invocations of 50 messages die midway before any comes back: the hot scopes then hold 300
    // unsettled batches, more than the 256 the dedupe memory kept before issue 22 (it double-counted).
    const bodies = stormBodies({
      messages: 600,
      eventsPerMessage: 5,
      coldScopes: 20,
      hotIncidentShare: 0.6,
      hotAccountShare: 0.25,
    });
    const run = randomUUID().slice(0, 8);

    const { rows, expected } = await measureCapacity({
      ks: [1, 2, 4, 8],
      bodies,
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      config: DEFAULT_POLICY,
      batchSize: 50,
      crashEvery: 2,
      duplicateEvery: 7,
      requestLatencyMs: 0,
      tableName: (k) => `concurrent-${run}-${k}`,
    });

    expect(expected.notices.size).toBeGreaterThan(2); // the hot scopes and some cold ones notify
    for (const row of rows) {
      expect({
        k: row.k,
        lostEvents: row.lostEvents,
        doubleCountedEvents: row.doubleCountedEvents,
        duplicateNotifications: row.duplicateNotifications,
        lostNotifications: row.lostNotifications,
        deadLettered: row.deadLettered,
      }).toEqual({
        k: row.k,
        lostEvents: 0,
        doubleCountedEvents: 0,
        duplicateNotifications: 0,
        lostNotifications: 0,
        deadLettered: 0,
      });
      expect(row.events).toBe(600 * 5);
      // The failures really happened: invocations died midway and gave their messages back.
      expect(row.crashedInvocations).toBeGreaterThan(0);
      expect(row.messagesGivenBack).toBeGreaterThan(0);
    }
  }, 120_000);

  it('counts every event once through the scope lane with no conflict at K = 1, 4 and 8, duplicates reaching the lane', async () => {
    const bodies = stormBodies({
      messages: 300,
      eventsPerMessage: 5,
      coldScopes: 20,
      hotIncidentShare: 0.6,
      hotAccountShare: 0.25,
    });
    const run = randomUUID().slice(0, 8);

    const { rows } = await measureCapacity({
      ks: [1, 4, 8],
      bodies,
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
      config: DEFAULT_POLICY,
      batchSize: 50,
      crashEvery: 2,
      duplicateEvery: 7,
      requestLatencyMs: 0,
      tableName: (k) => `lane-${run}-${k}`,
      design: 'scope-lane',
      // Every copy of a part reaches the lane (as after FIFO's 5 minutes): the lane's exactly-once must hold.
      fifoDeduplication: false,
    });

    for (const row of rows) {
      expect({
        k: row.k,
        lostEvents: row.lostEvents,
        doubleCountedEvents: row.doubleCountedEvents,
        duplicateNotifications: row.duplicateNotifications,
        lostNotifications: row.lostNotifications,
        deadLettered: row.deadLettered,
        conflicts: row.conflictsPerWrite,
      }).toEqual({
        k: row.k,
        lostEvents: 0,
        doubleCountedEvents: 0,
        duplicateNotifications: 0,
        lostNotifications: 0,
        deadLettered: 0,
        conflicts: 0,
      });
      expect(row.events).toBe(300 * 5);
      // Bulk invocations died after queueing some parts, and lane invocations after some writes.
      expect(row.crashedInvocations).toBeGreaterThan(0);
      expect(row.lane?.crashedInvocations).toBeGreaterThan(0);
    }
  }, 120_000);
});
