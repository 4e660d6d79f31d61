/**
 * AWS on-demand cost of counted requests. Pure maths; the counting is done by bench/lib/request-counter.ts.
 * Prices: public on-demand list prices, us-east-1, first pricing tier, no free tier (checked 2026-05).
 */
export const PRICES_USD = {
  /** API Gateway HTTP API, per request; each 512 KB of request is metered as one request. */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda requests, per invocation. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda duration on arm64 (Graviton), per GB-second (1 ms granularity). */
  lambdaGbSecondArm: 0.0000133334,
  /** SQS standard queue, per request; each 64 KB chunk of a payload is one request. */
  sqsRequest: 0.4 / 1e6,
  /** DynamoDB on-demand write request unit (1 KB of item written, per table or index write). */
  dynamoWru: 0.625 / 1e6,
  /** DynamoDB on-demand read request unit (4 KB strongly consistent, or 8 KB eventually consistent). */
  dynamoRru: 0.125 / 1e6,
  /** SNS standard topic publish; each 64 KB chunk is one request. Deliveries to SQS/Lambda are free. */
  snsPublish: 0.5 / 1e6,
} as const;

export type Prices = { readonly [K in keyof typeof PRICES_USD]: number };

export const API_METERING_BYTES = 512 * 1024;
export const SQS_SNS_METERING_BYTES = 64 * 1024;

/** Billable units of a payload metered in chunks (a request always counts at least once). */
export function meteredUnits(bytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(bytes / chunkBytes));
}

/** GB-seconds of invocations billed per started millisecond at a memory size. */
export function lambdaGbSeconds(durationsMs: readonly number[], memoryMb: number): number {
  let billedMs = 0;
  for (const ms of durationsMs) billedMs += Math.max(1, Math.ceil(ms));
  return (billedMs / 1000) * (memoryMb / 1024);
}

/** What a run used, in the units AWS bills. */
export interface AwsUsage {
  readonly httpApiRequests: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly sqsRequests: number;
  readonly dynamoWru: number;
  readonly dynamoRru: number;
  readonly snsPublishes: number;
}

export type CostBreakdown = { readonly [K in keyof AwsUsage]: number } & { readonly total: number };

export function costOf(usage: AwsUsage, prices: Prices = PRICES_USD): CostBreakdown {
  const parts = {
    httpApiRequests: usage.httpApiRequests * prices.httpApiRequest,
    lambdaInvocations: usage.lambdaInvocations * prices.lambdaRequest,
    lambdaGbSeconds: usage.lambdaGbSeconds * prices.lambdaGbSecondArm,
    sqsRequests: usage.sqsRequests * prices.sqsRequest,
    dynamoWru: usage.dynamoWru * prices.dynamoWru,
    dynamoRru: usage.dynamoRru * prices.dynamoRru,
    snsPublishes: usage.snsPublishes * prices.snsPublish,
  };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  return { ...parts, total };
}

/** Scale a run's cost to one million events. */
export function perMillionEvents(costUsd: number, events: number): number {
  if (!(events > 0)) throw new RangeError('a cost per event needs at least one event');
  return (costUsd / events) * 1e6;
}

export function addUsage(a: AwsUsage, b: AwsUsage): AwsUsage {
  return {
    httpApiRequests: a.httpApiRequests + b.httpApiRequests,
    lambdaInvocations: a.lambdaInvocations + b.lambdaInvocations,
    lambdaGbSeconds: a.lambdaGbSeconds + b.lambdaGbSeconds,
    sqsRequests: a.sqsRequests + b.sqsRequests,
    dynamoWru: a.dynamoWru + b.dynamoWru,
    dynamoRru: a.dynamoRru + b.dynamoRru,
    snsPublishes: a.snsPublishes + b.snsPublishes,
  };
}

export const NO_USAGE: AwsUsage = {
  httpApiRequests: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  sqsRequests: 0,
  dynamoWru: 0,
  dynamoRru: 0,
  snsPublishes: 0,
};
