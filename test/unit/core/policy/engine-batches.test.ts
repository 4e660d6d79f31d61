import type { TriageEvent } from '../../../../functions/core/event';
import {
  applyBatches,
  DEFAULT_POLICY,
  type EventBatch,
  type ScopeState,
  scopeKeysOf,
} from '../../../../functions/core/policy';
import { T0 } from './policy-harness';

const MIN = 60_000;

describe('policy engine: a quiet gap inside one batch', () => {
  // A subject whose quiet period ends between two errors of the same batch, applied before the sweep ran:
  // the later error resolves it and opens a new one. At exactly the quiet period it resolves it but opens
  // nothing (the error is not after the resolved span); a millisecond short, it only adds to it.
  it.each([
    ['an immediate incident', 500, 15 * MIN + 30_000, 'reopened', true],
    ['an account-issue group', 402, 60 * MIN + 30_000, 'reopened', true],
    ['an immediate incident (gap exactly the quiet period)', 500, 15 * MIN, 'resolved', true],
    ['an account-issue group (gap exactly the quiet period)', 402, 60 * MIN, 'resolved', true],
    ['an immediate incident (gap 1 ms short)', 500, 15 * MIN - 1, 'continued', true],
    // The gap from the subject's last seen to the only error of the next batch.
    ['an immediate incident (gap before the batch, exactly)', 500, 15 * MIN, 'resolved', false],
    ['an immediate incident (gap before the batch, 1 ms short)', 500, 15 * MIN - 1, 'continued', false],
  ])('handles %s at the error after the gap', (_name, status, gap, outcome, within) => {
    const at = (ms: number, id: string): TriageEvent => ({
      id,
      status,
      model: 'm',
      account: 'acme',
      app: 'a',
      requestId: id,
      occurredAt: new Date(T0 + ms).toISOString(),
    });
    const first: EventBatch = { batchId: 'b1', receivedAt: T0, events: [at(0, 'r1'), at(MIN, 'r2')] };
    const afterGap = (within ? 2 * MIN : MIN) + gap;
    const second: EventBatch = {
      batchId: 'b2',
      receivedAt: T0 + afterGap,
      events: within ? [at(2 * MIN, 'r3'), at(afterGap, 'r4')] : [at(afterGap, 'r4')],
    };
    const [key] = scopeKeysOf([first], DEFAULT_POLICY) as [string];
    const opened = applyBatches(key, undefined, [first], T0 + 2 * MIN, DEFAULT_POLICY);
    const { state } = applyBatches(key, opened.state, [second], T0 + afterGap + 10_000, DEFAULT_POLICY);
    const current = (state as { current?: { openedAt: number; count: number } }).current;
    if (outcome === 'resolved') expect(current).toBeUndefined();
    else {
      expect(current).toMatchObject(
        outcome === 'reopened'
          ? { openedAt: T0 + afterGap, count: 1 }
          : { openedAt: T0, count: within ? 4 : 3 },
      );
    }
  });
});

describe('policy engine: the distinct values of an account issue without an account', () => {
  it('lists the accounts and models the events carry', () => {
    const event = (n: number, fields: { account?: string }): TriageEvent => ({
      id: `e${n}`,
      status: 402,
      app: `app-${n % 2}`,
      model: `m-${n % 3}`,
      occurredAt: new Date(T0 + n * 1000).toISOString(),
      ...fields,
    });
    // All land in account#unknown#402: most carry no account, one the literal "unknown".
    const first: EventBatch = { batchId: 'b1', receivedAt: T0, events: [event(0, {}), event(1, {})] };
    const second: EventBatch = {
      batchId: 'b2',
      receivedAt: T0 + MIN,
      events: [event(2, {}), event(3, { account: 'unknown' })],
    };
    const [key] = scopeKeysOf([first], DEFAULT_POLICY) as [string];
    expect(scopeKeysOf([second], DEFAULT_POLICY)).toEqual([key]);
    const opened = applyBatches(key, undefined, [first], T0 + MIN, DEFAULT_POLICY);
    const { state } = applyBatches(key, opened.state, [second], T0 + 2 * MIN, DEFAULT_POLICY);
    const { current } = state as Extract<ScopeState, { kind: 'account-issue' }>;
    expect(current?.accounts).toEqual(['unknown']);
    expect(current?.models).toEqual(['m-0', 'm-1', 'm-2']);
    expect(current?.apps).toEqual(['app-0', 'app-1']);
  });
});
