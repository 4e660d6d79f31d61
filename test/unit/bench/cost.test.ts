import {
  API_METERING_BYTES,
  addUsage,
  costOf,
  lambdaGbSeconds,
  meteredUnits,
  NO_USAGE,
  PRICES_USD,
  perMillionEvents,
  SQS_SNS_METERING_BYTES,
} from '../../../bench/lib/cost';
import { itemSize, writeUnits } from '../../../bench/lib/dynamo-size';

describe('bench cost', () => {
  it('meters payloads in started chunks, at least one per request', () => {
    expect(meteredUnits(0, SQS_SNS_METERING_BYTES)).toBe(1);
    expect(meteredUnits(64 * 1024, SQS_SNS_METERING_BYTES)).toBe(1);
    expect(meteredUnits(64 * 1024 + 1, SQS_SNS_METERING_BYTES)).toBe(2);
    expect(meteredUnits(250 * 1024, SQS_SNS_METERING_BYTES)).toBe(4);
    expect(meteredUnits(513 * 1024, API_METERING_BYTES)).toBe(2);
  });

  it('bills Lambda per started millisecond at the configured memory', () => {
    // 2 invocations of 0.2 ms and 99.1 ms → 1 ms + 100 ms at 512 MB = 0.101 s × 0.5 GB.
    expect(lambdaGbSeconds([0.2, 99.1], 512)).toBeCloseTo(0.0505, 10);
  });

  it('prices each service from its counted units and sums them', () => {
    const usage = {
      httpApiRequests: 1e6,
      lambdaInvocations: 1e6,
      lambdaGbSeconds: 1e5,
      sqsRequests: 1e6,
      dynamoWru: 1e6,
      dynamoRru: 1e6,
      snsPublishes: 1e6,
    };
    const cost = costOf(usage);
    expect(cost.httpApiRequests).toBeCloseTo(1.0, 10);
    expect(cost.lambdaInvocations).toBeCloseTo(0.2, 10);
    expect(cost.lambdaGbSeconds).toBeCloseTo(1.33334, 10);
    expect(cost.sqsRequests).toBeCloseTo(0.4, 10);
    expect(cost.dynamoWru).toBeCloseTo(0.625, 10);
    expect(cost.dynamoRru).toBeCloseTo(0.125, 10);
    expect(cost.snsPublishes).toBeCloseTo(0.5, 10);
    expect(cost.total).toBeCloseTo(1 + 0.2 + 1.33334 + 0.4 + 0.625 + 0.125 + 0.5, 10);
    expect(costOf(NO_USAGE, PRICES_USD).total).toBe(0);
  });

  it('scales a run to a million events and refuses a run without events', () => {
    expect(perMillionEvents(0.001, 10_000)).toBeCloseTo(0.1, 10);
    expect(() => perMillionEvents(1, 0)).toThrow(RangeError);
  });

  it('adds usages field by field', () => {
    const one = { ...NO_USAGE, sqsRequests: 2, dynamoWru: 1.5 };
    expect(addUsage(one, one)).toEqual({ ...NO_USAGE, sqsRequests: 4, dynamoWru: 3 });
  });

  it('sizes DynamoDB items as names plus values, with map and list overheads', () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(5);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + 1 + 2);
    expect(itemSize({ l: { L: [{ S: 'xy' }, { NULL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });
});
