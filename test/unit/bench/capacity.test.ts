import type { CapacityRow } from '../../../bench/capacity/capacity-run';
import { verdict } from '../../../bench/capacity/verify';
import { costPerMillionAtSaturation, speedupBound } from '../../../bench/parts/capacity';
import type { NotificationIntent } from '../../../functions/core/policy/types';

const notice = (scopeKey: string, kind: NotificationIntent['kind'], notificationId: string) =>
  ({ scopeKey, kind, notificationId }) as NotificationIntent;

describe('verdict (capacity bench)', () => {
  const expected = {
    totals: new Map([
      ['a', 10],
      ['b', 5],
    ]),
    notices: new Map([['a incident.opened', 1]]),
  };

  it('finds nothing wrong when the stored totals and the notices match the reference', () => {
    const stored = new Map([
      ['a', { total: 10 }],
      ['b', { total: 5 }],
    ]);
    const published = [notice('a', 'incident.opened', 'n1'), notice('a', 'incident.opened', 'n1')];

    expect(verdict(expected, stored, published)).toEqual({
      lostEvents: 0,
      doubleCountedEvents: 0,
      duplicateNotifications: 0,
      lostNotifications: 0,
      republished: 1,
      scopes: 2,
      events: 15,
    });
  });

  it('counts lost and double-counted events, and a transition notified under two ids', () => {
    const stored = new Map([
      ['a', { total: 12 }],
      ['c', { total: 1 }],
    ]);
    const published = [notice('a', 'incident.opened', 'n1'), notice('a', 'incident.opened', 'n2')];

    const found = verdict(expected, stored, published);

    expect(found).toMatchObject({ lostEvents: 5, doubleCountedEvents: 3, duplicateNotifications: 1 });
    expect(verdict(expected, stored, []).lostNotifications).toBe(1);
  });
});

describe('costPerMillionAtSaturation', () => {
  it('charges per POST for the API and SQS, and scales the counted DynamoDB units to a million events', () => {
    const row = {
      events: 100_000,
      handlerCpuMs: 0,
      dynamo: { wru: 1_000, indexWru: 500, rru: 2_000 },
    } as CapacityRow;

    const { usage } = costPerMillionAtSaturation(row, 1769, 1024);

    expect(usage.httpApiRequests).toBe(10_000);
    expect(usage.sqsRequests).toBe(12_000);
    expect(usage.lambdaInvocations).toBe(10_100);
    expect(usage.dynamoWru).toBe(15_000);
    expect(usage.dynamoRru).toBe(20_000);
    expect(usage.lambdaGbSeconds).toBeCloseTo(200); // ingest only: 10 000 POSTs × 20 ms × 1 GB
  });
});

describe('speedupBound', () => {
  const k1 = (handlerCpuMs: number, emulatorCpuMs: number) =>
    ({ wallMs: 3_600, handlerCpuMs, emulatorCpuMs }) as CapacityRow;

  it("is the K = 1 wall time over the handlers' CPU time when their one thread is the floor", () => {
    expect(speedupBound(k1(3_400, 2_000), 2)).toBeCloseTo(3_600 / 3_400);
  });

  it("is the K = 1 wall time over dynalite's CPU time when its one thread is the floor", () => {
    expect(speedupBound(k1(1_000, 2_000), 8)).toBeCloseTo(3_600 / 2_000);
  });

  it('is the K = 1 wall time over all the CPU spread on the cores when that is the floor', () => {
    // With two threads' work, that floor counts only on fewer cores than threads.
    expect(speedupBound(k1(1_000, 2_000), 1)).toBeCloseTo(3_600 / 3_000);
  });
});
