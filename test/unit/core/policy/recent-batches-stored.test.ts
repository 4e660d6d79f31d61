import {
  applyBatches,
  type EventBatch,
  parsePolicyConfig,
  type ScopeState,
} from '../../../../functions/core/policy';
import {
  forgetBatches,
  rememberBatches,
  rememberedFingerprints,
} from '../../../../functions/core/policy/recent-batches';
import { batchFingerprint } from '../../../../functions/core/policy/stable-hash';

/**
 * Strings and a record written by the engine as it stood at commit 0122d8b, before recent-batches.ts became
 * plain array code. Records in the table carry such strings: the code must read them, and continue them,
 * exactly as the code that wrote them would have. (The literals were printed by that code; do not edit them.)
 */

const T0 = Date.UTC(2026, 10, 25, 15);
/** Whether `recent` remembers `fingerprint` (as a whole token). */
const remembers = (recent: string, fingerprint: string) =>
  rememberedFingerprints(recent).includes(fingerprint);
const MIN = 60_000;
const fp = (id: string) => batchFingerprint(id);
const dedupe = (horizonSeconds: number, maxBatchIds: number) => ({ horizonSeconds, maxBatchIds });

/** 12 batches `busy-<i>` applied at T0 + i × 200 s under the default dedupe (2 h horizon, 225 s granules). */
const BUSY =
  '~000mww92lc0QULZmoVYqQtWlpwL8Sf7PX1S~000mww9b5z47cIEePoDiJoNdcRIrB7P4JzS~000mww9jqm8miqEzbbiNsKNec3QkH1ouISD~000mww9sb9c9muho_XX0U-K3kCbh3SERWYt~000mwwa0vwgqhul72G8eRAsq_5pi_xD-Yg2~000mwwa9gjkHWYqiWtJP559i9EAuqEDNBxJ';

/** Batches `cap-<i>` and `cap-<i>b` applied together at T0 + i × 10 min (i < 9), horizon 1 h, at most 5 kept. */
const CAPPED =
  '~000mwwb7r40vqQkg36H0R71~000mwwbkm2oHfqUp_P3cLQ4AfSEYLxzGdVq~000mwwbxh1cBkQL5_z-GSHsZvbvKhNom0DK';

describe('recent batches written by earlier code', () => {
  it('lists their fingerprints, oldest first, without the time marks', () => {
    expect(rememberedFingerprints(BUSY)).toEqual(Array.from({ length: 12 }, (_, i) => fp(`busy-${i}`)));
    expect(rememberedFingerprints(CAPPED)).toEqual(['cap-6b', 'cap-7', 'cap-7b', 'cap-8', 'cap-8b'].map(fp));
    expect(remembers(BUSY, fp('busy-7'))).toBe(true);
    expect(remembers(CAPPED, fp('cap-6'))).toBe(false);
  });

  it('forgets settled fingerprints and the marks left dating nothing, as that code did', () => {
    const settled = new Set([fp('busy-0'), fp('busy-1'), fp('busy-5'), fp('busy-11')]);
    expect(forgetBatches(BUSY, settled)).toBe(
      '~000mww9b5z47cIEePoDiJoNdcRIrB7P4JzS~000mww9jqm8miqEzbbiNsKN~000mww9sb9c9muho_XX0U-K3kCbh3SERWYt~000mwwa0vwgqhul72G8eRAsq_5pi_xD-Yg2~000mwwa9gjkHWYqiWtJP559',
    );
  });

  it('adds a time mark in a new granule, and none within the last one', () => {
    expect(
      rememberBatches(
        BUSY,
        [fp('busy-new-a'), fp('busy-new-b')],
        T0 + 12 * 200_000 + 1000,
        dedupe(7200, 256),
      ),
    ).toBe(
      '~000mww92lc0QULZmoVYqQtWlpwL8Sf7PX1S~000mww9b5z47cIEePoDiJoNdcRIrB7P4JzS~000mww9jqm8miqEzbbiNsKNec3QkH1ouISD~000mww9sb9c9muho_XX0U-K3kCbh3SERWYt~000mwwa0vwgqhul72G8eRAsq_5pi_xD-Yg2~000mwwa9gjkHWYqiWtJP559i9EAuqEDNBxJ~000mwwai1ygKGS83llBgiE1G2yiHHnc7Gb5',
    );
    expect(rememberBatches(BUSY, [fp('busy-new-c')], T0 + 11 * 200_000 + 5000, dedupe(7200, 256))).toBe(
      '~000mww92lc0QULZmoVYqQtWlpwL8Sf7PX1S~000mww9b5z47cIEePoDiJoNdcRIrB7P4JzS~000mww9jqm8miqEzbbiNsKNec3QkH1ouISD~000mww9sb9c9muho_XX0U-K3kCbh3SERWYt~000mwwa0vwgqhul72G8eRAsq_5pi_xD-Yg2~000mwwa9gjkHWYqiWtJP559i9EAuqEDNBxJrY6KOlYSWN2Y',
    );
  });

  it('drops what is past the horizon', () => {
    expect(rememberBatches(BUSY, [fp('busy-late')], T0 + 7200_000 + 6 * 200_000, dedupe(7200, 256))).toBe(
      '~000mww9sb9c9muho_XX0U-K3kCbh3SERWYt~000mwwa0vwgqhul72G8eRAsq_5pi_xD-Yg2~000mwwa9gjkHWYqiWtJP559i9EAuqEDNBxJ~000mwwe2mtcAXhqLFvbT9FX',
    );
  });

  it('keeps the newest fingerprints under the cap, re-dating what is left of a cut group', () => {
    expect(rememberBatches(CAPPED, [fp('cap-new')], T0 + 95 * MIN, dedupe(3600, 5))).toBe(
      '~000mwwbkm2oHfqUp_P3cLQ4AfSEYLxzGdVq~000mwwbxh1cBkQL5_z-GSHsZvbvKhNom0DK~000mwwcgrhcC7MCByhcaWu9',
    );
    const many = Array.from({ length: 7 }, (_, i) => fp(`cap-many-${i}`));
    expect(rememberBatches(CAPPED, many, T0 + 96 * MIN, dedupe(3600, 5))).toBe(
      '~000mwwci1s0PvLUAd9eu9FSlbrBoyAJkjmx5rBxS6_LHIIVMdWm40Nr45ykxfcvsnvaeYuS',
    );
  });

  describe('in a scope record', () => {
    /** Batches rec-1 (2 events) and rec-2 (1 event) of account acme's 402s, applied at T0 + 5 s and T0 + 65 s. */
    const RECORD: ScopeState = {
      key: 'account#acme#402',
      version: 2,
      nextDueAt: 1795618925000,
      workDueAt: 1795622460000,
      outbox: [
        {
          notificationId: 'acct-6xxvim2q4n-mww92lc0:1:opened',
          topic: 'account',
          kind: 'account-issue.opened',
          at: '2026-11-25T15:01:05.000Z',
          severity: 'high',
          status: 402,
          statusCounts: {
            '402': 3,
          },
          name: 'Payment Required',
          possibleIssue: 'Account is not on a paid plan or has exceeded usage limits.',
          resolution:
            'Check your billing status and ensure your payment method is up to date. Upgrade your plan if necessary.',
          scopeKey: 'account#acme#402',
          scope: {
            account: 'acme',
            status: 402,
          },
          subjectId: 'acct-6xxvim2q4n-mww92lc0',
          account: 'acme',
          apps: ['checkout'],
          count: 3,
          newSinceLast: 3,
          firstSeen: '2026-11-25T15:00:00.000Z',
          lastSeen: '2026-11-25T15:01:00.000Z',
          sampleRequestIds: ['r1', 'r2', 'r3'],
        },
      ],
      recentBatches: '~000mww92p6wHt4H1uaG1H_I9q8vmtLEgHfk',
      total: 3,
      firstSeen: 1795618800000,
      lastSeen: 1795618860000,
      kind: 'account-issue',
      account: 'acme',
      status: 402,
      current: {
        id: 'acct-6xxvim2q4n-mww92lc0',
        openedAt: 1795618800000,
        createdAt: 1795618805000,
        firstSeen: 1795618800000,
        lastSeen: 1795618860000,
        count: 3,
        statusCounts: {
          '402': 3,
        },
        apps: ['checkout'],
        accounts: ['acme'],
        models: [],
        sampleRequestIds: ['r1', 'r2', 'r3'],
        notices: 1,
        announced: true,
        lastNoticeAt: 1795618865000,
        countAtLastNotice: 3,
      },
    };
    const config = parsePolicyConfig({});
    const event = (n: number, at: number) => ({
      id: `e${n}`,
      status: 402,
      account: 'acme',
      app: 'checkout',
      requestId: `r${n}`,
      occurredAt: new Date(T0 + at).toISOString(),
    });

    it('skips a batch the record remembers', () => {
      const again: EventBatch = { batchId: 'rec-2', receivedAt: T0 + MIN, events: [event(3, MIN)] };
      expect(applyBatches(RECORD.key, RECORD, [again], T0 + 2 * MIN, config)).toEqual({ intents: [] });
    });

    it('applies a new batch and remembers it after the ones it already held', () => {
      const next: EventBatch = { batchId: 'rec-3', receivedAt: T0 + 2 * MIN, events: [event(4, 2 * MIN)] };
      const { state } = applyBatches(RECORD.key, RECORD, [next], T0 + 2 * MIN + 5000, config);
      expect(state?.total).toBe(4);
      expect(state?.recentBatches).toBe(`${RECORD.recentBatches}${fp('rec-3')}`);
      expect(rememberedFingerprints(state?.recentBatches ?? '')).toEqual(['rec-1', 'rec-2', 'rec-3'].map(fp));
    });
  });
});
