import {
  acknowledgeSubject,
  DEFAULT_POLICY,
  markPublished,
  parsePolicyConfig,
} from '../../../../functions/core/policy';
import type { NotificationIntent } from '../../../../functions/core/policy/types';
import { event, kinds, MIN, MODEL, PolicyStore, T0 } from './policy-harness';

const INCIDENT = `incident#immediate#model#${MODEL}`;
const HOUR = 60 * MIN;

/** Acknowledge the scope's current subject at `T0 + at` as the on-call handler does, and keep the result. */
function ack(store: PolicyStore, key: string, at: number, by = 'alice'): NotificationIntent[] {
  const state = store.scope(key);
  const subjectId = state.kind === 'counter' ? '' : (state.current?.id ?? '');
  const result = acknowledgeSubject(state, subjectId, { by, comment: 'on it' }, T0 + at, store.config);
  if (result.outcome !== 'acknowledged' || !result.update.state) throw new Error(result.outcome);
  const { state: next, intents } = result.update;
  store.states.set(
    key,
    markPublished(
      next,
      intents.map((i) => i.notificationId),
    ),
  );
  store.sent.push(...intents);
  return [...intents];
}

describe('acknowledge', () => {
  it('publishes one incident.acknowledged with acknowledgedBy, and no reminder follows until it resolves', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], 0);
    // Errors go on for three hours; without the acknowledgement that is three reminders.
    const [acknowledged] = ack(store, INCIDENT, 10 * MIN);
    for (let m = 5; m <= 180; m += 5) store.apply([event(500, m * MIN)], m * MIN);
    store.sweepEveryMinute(MIN, 3 * HOUR + 20 * MIN);

    expect(acknowledged).toMatchObject({
      kind: 'incident.acknowledged',
      topic: 'support',
      acknowledgedBy: 'alice',
      acknowledgeComment: 'on it',
      notificationId: expect.stringMatching(/:2:acknowledged$/),
    });
    expect(kinds(store.sent)).toEqual(['incident.opened', 'incident.acknowledged', 'incident.resolved']);
    expect(new Set(store.sent.map((n) => n.notificationId)).size).toBe(3);
  });

  it('lets a new incident after the resolve page again, with reminders', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], 0);
    ack(store, INCIDENT, MIN);
    store.sweepEveryMinute(MIN, 30 * MIN);
    store.apply([event(500, 40 * MIN)], 40 * MIN);
    for (let m = 45; m <= 110; m += 5) store.apply([event(500, m * MIN)], m * MIN);
    store.sweepEveryMinute(41 * MIN, 110 * MIN);

    expect(kinds(store.sent)).toEqual([
      'incident.opened',
      'incident.acknowledged',
      'incident.resolved',
      'incident.opened',
      'incident.reminder',
    ]);
  });

  it('stops an account issue’s daily reminders, and keeps its updates', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    const key = 'account#acme#402';
    store.apply([event(402, 0, { account: 'acme' })], 0);
    store.sweepEveryMinute(MIN, 2 * MIN);
    const [acknowledged] = ack(store, key, 3 * MIN, 'billing');
    // Errors every half hour for 26 hours (the count keeps growing), swept as they come.
    for (let t = 30 * MIN; t <= 26 * HOUR; t += 30 * MIN) {
      store.apply([event(402, t, { account: 'acme' })], t);
      store.sweep(t);
    }

    expect(acknowledged).toMatchObject({
      kind: 'account-issue.acknowledged',
      topic: 'account',
      account: 'acme',
    });
    expect(kinds(store.sent)).not.toContain('account-issue.reminder');
    expect(kinds(store.sent)).toContain('account-issue.updated');
  });

  it('is not held by a silence', () => {
    const config = parsePolicyConfig({
      silences: [
        { id: 'm', startsAt: '2026-11-25T00:00:00Z', endsAt: '2026-11-26T00:00:00Z', models: [MODEL] },
      ],
    });
    const store = new PolicyStore(config);
    store.apply([event(500, 0)], 0);
    expect(kinds(ack(store, INCIDENT, MIN))).toEqual(['incident.acknowledged']);
  });

  it('says so for a subject that is not open, or already acknowledged', () => {
    const store = new PolicyStore(DEFAULT_POLICY);
    store.apply([event(500, 0)], 0);
    const state = store.scope(INCIDENT);
    expect(acknowledgeSubject(state, 'inc-other', { by: 'a' }, T0, DEFAULT_POLICY)).toEqual({
      outcome: 'not-open',
    });
    ack(store, INCIDENT, MIN, 'carol');
    const again = store.scope(INCIDENT);
    const id = again.kind === 'counter' ? '' : (again.current?.id ?? '');
    expect(acknowledgeSubject(again, id, { by: 'dave' }, T0 + 2 * MIN, DEFAULT_POLICY)).toEqual({
      outcome: 'already-acknowledged',
      by: 'carol',
    });
    store.sweepEveryMinute(2 * MIN, 20 * MIN);
    expect(
      acknowledgeSubject(store.scope(INCIDENT), id, { by: 'dave' }, T0 + 21 * MIN, DEFAULT_POLICY),
    ).toEqual({
      outcome: 'not-open',
    });
  });
});
