import { ValidationError } from '../../../functions/core/errors';
import {
  DEFAULT_POLICY,
  parsePolicyConfig,
  type ScopeState,
  sweepScope,
} from '../../../functions/core/policy';
import {
  expireSilence,
  newSilence,
  parseDuration,
  type RuntimeSilence,
  recentlyExpired,
  silenceState,
  withRuntimeSilences,
} from '../../../functions/core/silences';
import { event, MIN, MODEL, PolicyStore, T0 } from './policy/policy-harness';

const OPTIONS = { id: 'sil-1', now: T0, createdBy: 'oncall', maxDurationSeconds: 7 * 86_400 };

function detailsOf(input: unknown, options = OPTIONS) {
  try {
    newSilence(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
}

describe('run-time silences: input', () => {
  it('reads durations', () => {
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('7d')).toBe(604_800);
    for (const bad of ['', '2', 'h', '2 h', '-1h', '0s', '2w']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('starts now by default and ends after the duration; createdBy defaults to the token app', () => {
    expect(newSilence({ model: [MODEL], duration: '2h', comment: 'maintenance' }, OPTIONS)).toEqual({
      id: 'sil-1',
      model: [MODEL],
      startsAt: '2026-11-25T15:00:00.000Z',
      endsAt: '2026-11-25T17:00:00.000Z',
      comment: 'maintenance',
      createdBy: 'oncall',
      createdAt: '2026-11-25T15:00:00.000Z',
    });
  });

  it('takes explicit times, every matcher and a createdBy', () => {
    const silence = newSilence(
      {
        status: [502, 503, 503],
        account: ['acme'],
        app: ['batch'],
        startsAt: '2026-11-26T02:00:00Z',
        endsAt: '2026-11-26T04:00:00+00:00',
        comment: 'planned',
        createdBy: 'alice',
      },
      OPTIONS,
    );
    expect(silence).toMatchObject({
      status: [502, 503],
      account: ['acme'],
      app: ['batch'],
      startsAt: '2026-11-26T02:00:00.000Z',
      endsAt: '2026-11-26T04:00:00.000Z',
      createdBy: 'alice',
    });
    expect(silenceState(silence, T0)).toBe('pending');
  });

  it('refuses a silence without matchers, or without a comment or an end', () => {
    expect(detailsOf({ duration: '1h', comment: 'x' })).toEqual([
      { path: '(body)', message: expect.stringMatching(/at least one matcher/) },
    ]);
    expect(detailsOf({ model: ['m'] }).map((d) => d.path)).toEqual(['comment']);
    expect(detailsOf({ model: ['m'], comment: 'x' }).map((d) => d.path)).toEqual(['endsAt']);
    expect(
      detailsOf({ model: [], status: [99], duration: '1h', comment: 'x' })
        .map((d) => d.path)
        .sort(),
    ).toEqual(['model', 'status[0]']);
  });

  it('names each bad field, unknown ones included', () => {
    const paths = detailsOf({ model: 'm', duration: 'soon', startsAt: 'yesterday', comment: '', extra: 1 })
      .map((d) => d.path)
      .sort();
    expect(paths).toEqual(['comment', 'duration', 'extra', 'model', 'startsAt']);
    expect(detailsOf([]).map((d) => d.path)).toEqual(['(body)']);
    expect(detailsOf(null).map((d) => d.path)).toEqual(['(body)']);
  });

  it('refuses an end before the start or in the past, both endsAt and duration, and too long a silence', () => {
    expect(
      detailsOf({ model: ['m'], comment: 'x', startsAt: T0 + MIN, endsAt: T0 }).map((d) => d.message),
    ).toEqual(['expected endsAt after startsAt']);
    expect(
      detailsOf({ model: ['m'], comment: 'x', startsAt: T0 - 2 * MIN, endsAt: T0 - MIN })[0]?.message,
    ).toBe('expected endsAt in the future');
    expect(detailsOf({ model: ['m'], comment: 'x', endsAt: T0 + MIN, duration: '1h' })[0]?.path).toBe(
      'duration',
    );
    expect(detailsOf({ model: ['m'], comment: 'x', duration: '8d' })).toEqual([
      { path: 'duration', message: 'a silence may last at most 604800 seconds' },
    ]);
  });

  it('takes environment matchers like the others', () => {
    expect(
      newSilence({ environment: ['prod', 'prod'], duration: '1h', comment: 'x' }, OPTIONS).environment,
    ).toEqual(['prod']);
  });
});

describe('run-time silences: state and expiry', () => {
  const silence = newSilence({ model: [MODEL], duration: '1h', comment: 'x' }, OPTIONS);

  it('is active from its start to its end, then expired', () => {
    expect(silenceState(silence, T0 - 1)).toBe('pending');
    expect(silenceState(silence, T0)).toBe('active');
    expect(silenceState(silence, T0 + 60 * MIN)).toBe('expired');
  });

  it('ends now when expired early, and stays as it was when already over', () => {
    const expired = expireSilence(silence, T0 + 10 * MIN);
    expect(expired).toMatchObject({
      endsAt: '2026-11-25T15:10:00.000Z',
      expiredAt: '2026-11-25T15:10:00.000Z',
    });
    expect(silenceState(expired, T0 + 10 * MIN)).toBe('expired');
    expect(expireSilence(silence, T0 + 2 * 60 * MIN)).toBe(silence);
    expect([...recentlyExpired([expired, silence], T0 + 11 * MIN, 2 * MIN)]).toEqual(['sil-1']);
    expect([...recentlyExpired([expired], T0 + 13 * MIN, 2 * MIN)]).toEqual([]);
  });
});

describe('run-time silences in the policy', () => {
  const other = `${MODEL}-other`;
  const silence: RuntimeSilence = newSilence(
    { model: [MODEL], duration: '2h', comment: 'maintenance' },
    OPTIONS,
  );

  it('hold notices like config silences: a 500 on the silenced model pages no one, another model pages', () => {
    const store = new PolicyStore(withRuntimeSilences(DEFAULT_POLICY, [silence]));
    const sent = store.apply([event(500, 0), event(500, 0, { model: other })], MIN);
    expect(sent.map((n) => [n.kind, n.model])).toEqual([['incident.opened', other]]);
  });

  it('let the held notice go, marked delayedBySilence, when a scope it held is swept after an early expiry', () => {
    const store = new PolicyStore(withRuntimeSilences(DEFAULT_POLICY, [silence]));
    store.apply([event(500, 0)], MIN);
    const [state] = [...store.states.values()];
    // Due next at its quiet resolve, 15 minutes on: the sweep looks at it at once after an early expiry.
    expect(state?.nextDueAt).toBe(T0 + 15 * MIN);
    const expired = withRuntimeSilences(DEFAULT_POLICY, [expireSilence(silence, T0 + 2 * MIN)]);
    const { intents } = sweepScope(state as ScopeState, T0 + 2 * MIN, expired);
    expect(intents.map((n) => [n.kind, n.delayedBySilence])).toEqual([['incident.opened', 'sil-1']]);
  });

  it('hold by environment too: staging silenced, prod pages', () => {
    const staging = newSilence({ environment: ['staging'], duration: '2h', comment: 'load test' }, OPTIONS);
    const store = new PolicyStore(withRuntimeSilences(DEFAULT_POLICY, [staging]));
    const sent = store.apply(
      [event(500, 0, { environment: 'staging' }), event(500, 0, { model: other, environment: 'prod' })],
      MIN,
    );
    expect(sent.map((n) => [n.kind, n.model])).toEqual([['incident.opened', other]]);
  });

  it('keep the config silences, which win a clash of ids', () => {
    const config = parsePolicyConfig({
      silences: [
        { id: 'sil-1', startsAt: '2026-11-25T00:00:00Z', endsAt: '2026-11-25T01:00:00Z', apps: ['x'] },
      ],
    });
    expect(withRuntimeSilences(config, [silence]).silences).toEqual(config.silences);
    expect(withRuntimeSilences(DEFAULT_POLICY, [])).toBe(DEFAULT_POLICY);
    expect(withRuntimeSilences(DEFAULT_POLICY, [silence]).silences).toEqual([
      { id: 'sil-1', startsAt: T0, endsAt: T0 + 120 * MIN, models: [MODEL] },
    ]);
  });
});
