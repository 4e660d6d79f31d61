import * as z from 'zod/mini';
import { type FieldError, ValidationError } from './errors';
import { parseTime } from './event';
import type { PolicyConfig, Silence } from './policy';

/**
 * Silences created at run time (docs/design.md, "Silences at run time"), Alertmanager's model: matchers,
 * a start, an end, a comment and who made it. Stored beside the scopes; the triage and sweep functions add
 * them to the config's silences, so the policy engine treats both alike.
 */
export type SilenceState = 'pending' | 'active' | 'expired';

export interface RuntimeSilence {
  readonly id: string;
  /** Matchers: a notice is held when, for every field given, every value it concerns is listed. */
  readonly status?: readonly number[];
  readonly model?: readonly string[];
  readonly account?: readonly string[];
  readonly app?: readonly string[];
  readonly environment?: readonly string[];
  /** ISO-8601. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly comment: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Set when it was expired before its end (`DELETE /v1/silences/{id}`). */
  readonly expiredAt?: string;
}

export const SILENCE_DEFAULTS = { maxDurationSeconds: 7 * 24 * 3600 } as const;

const UNITS: Readonly<Record<string, number>> = { d: 86_400, h: 3600, m: 60, s: 1 };

/** `"2h"`, `"90m"`, `"1h30m"`, `"7d"` → seconds; undefined when not such a duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d{1,6}[dhms])+$/.test(text)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([dhms])/g))
    seconds += Number(n) * (UNITS[unit as string] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

const MATCHER_LIMIT = 100;
const text = (label: string, max: number) =>
  z
    .string({ error: `expected ${label}` })
    .check(
      z.trim(),
      z.minLength(1, `expected ${label}`),
      z.maxLength(max, `expected at most ${max} characters`),
    );
const list = <T extends z.core.SomeType>(item: T, label: string) =>
  z.optional(
    z
      .array(item, { error: `expected a list of ${label}` })
      .check(
        z.minLength(1, `expected at least one ${label.replace(/s$/, '')}`),
        z.maxLength(MATCHER_LIMIT, `expected at most ${MATCHER_LIMIT} ${label}`),
      ),
  );
const time = z
  .union([z.string(), z.number()], { error: 'expected an ISO-8601 date-time with a time zone' })
  .check(
    z.refine((value) => parseTime(value) !== undefined, {
      error:
        'expected an ISO-8601 date-time with a time zone (e.g. 2026-12-01T02:00:00Z) or epoch milliseconds',
    }),
  );

const InputSchema = z.strictObject({
  status: list(
    z
      .int({ error: 'expected HTTP status codes (100–599)' })
      .check(
        z.minimum(100, 'expected HTTP status codes (100–599)'),
        z.maximum(599, 'expected HTTP status codes (100–599)'),
      ),
    'statuses',
  ),
  model: list(text('a model name', 512), 'models'),
  account: list(text('an account name', 128), 'accounts'),
  app: list(text('an app name', 128), 'apps'),
  environment: list(text('an environment name', 64), 'environments'),
  startsAt: z.optional(time),
  endsAt: z.optional(time),
  duration: z.optional(
    z.string({ error: 'expected a duration such as "2h", "90m" or "1d"' }).check(
      z.refine((value) => parseDuration(value) !== undefined, {
        error: 'expected a duration such as "2h", "90m" or "1d"',
      }),
    ),
  ),
  comment: text('a comment saying why', 1024),
  createdBy: z.optional(text('a name', 128)),
});

export type SilenceInput = z.input<typeof InputSchema>;

function issuesOf(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: key, message: 'unknown field' }))
      : [
          {
            path:
              issue.path
                .map(String)
                .join('.')
                .replace(/\.(\d+)/g, '[$1]') || '(body)',
            message: issue.message,
          },
        ],
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A new silence from `POST /v1/silences`, validated: a 400 names every bad field. `now` is the default
 * start; `createdBy` defaults to the token's app.
 */
export function newSilence(
  input: unknown,
  options: {
    readonly id: string;
    readonly now: number;
    readonly createdBy: string;
    readonly maxDurationSeconds: number;
  },
): RuntimeSilence {
  const parsed = InputSchema.safeParse(input);
  const details = parsed.success ? [] : issuesOf(parsed.error.issues);
  const fail = () => {
    throw new ValidationError(
      `invalid silence: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    details.splice(0, details.length, { path: '(body)', message: 'expected a JSON object' });
    fail();
  }
  if (!parsed.success) return fail();
  const data = parsed.data;
  if (!data.status && !data.model && !data.account && !data.app && !data.environment) {
    details.push({
      path: '(body)',
      message:
        'expected at least one matcher: status, model, account, app or environment (a silence must not mute everything)',
    });
  }
  if (data.endsAt !== undefined && data.duration !== undefined) {
    details.push({ path: 'duration', message: 'give endsAt or duration, not both' });
  }
  if (data.endsAt === undefined && data.duration === undefined) {
    details.push({ path: 'endsAt', message: 'expected endsAt or duration' });
  }
  if (details.length > 0) return fail();
  const startsAt = data.startsAt === undefined ? options.now : (parseTime(data.startsAt) as number);
  const endsAt =
    data.endsAt !== undefined
      ? (parseTime(data.endsAt) as number)
      : startsAt + (parseDuration(data.duration as string) as number) * 1000;
  if (endsAt <= startsAt) details.push({ path: 'endsAt', message: 'expected endsAt after startsAt' });
  else if (endsAt <= options.now) details.push({ path: 'endsAt', message: 'expected endsAt in the future' });
  if (endsAt - startsAt > options.maxDurationSeconds * 1000) {
    details.push({
      path: data.duration !== undefined ? 'duration' : 'endsAt',
      message: `a silence may last at most ${options.maxDurationSeconds} seconds`,
    });
  }
  if (details.length > 0) return fail();
  return {
    id: options.id,
    ...(data.status ? { status: [...new Set(data.status)] } : {}),
    ...(data.model ? { model: [...new Set(data.model)] } : {}),
    ...(data.account ? { account: [...new Set(data.account)] } : {}),
    ...(data.app ? { app: [...new Set(data.app)] } : {}),
    ...(data.environment ? { environment: [...new Set(data.environment)] } : {}),
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
    comment: data.comment,
    createdBy: data.createdBy ?? options.createdBy,
    createdAt: iso(options.now),
  };
}

export function silenceState(silence: RuntimeSilence, now: number): SilenceState {
  if (Date.parse(silence.endsAt) <= now) return 'expired';
  return Date.parse(silence.startsAt) > now ? 'pending' : 'active';
}

/** The silence as ended now: its end moves to `now` (a silence already over keeps its end). */
export function expireSilence(silence: RuntimeSilence, now: number): RuntimeSilence {
  if (silenceState(silence, now) === 'expired') return silence;
  return { ...silence, endsAt: iso(now), expiredAt: iso(now) };
}

function toPolicySilence(silence: RuntimeSilence): Silence {
  return {
    id: silence.id,
    startsAt: Date.parse(silence.startsAt),
    endsAt: Date.parse(silence.endsAt),
    ...(silence.status ? { statuses: silence.status } : {}),
    ...(silence.model ? { models: silence.model } : {}),
    ...(silence.account ? { accounts: silence.account } : {}),
    ...(silence.app ? { apps: silence.app } : {}),
    ...(silence.environment ? { environments: silence.environment } : {}),
  } as Silence;
}

/** The config with the run-time silences beside its own (a config silence wins a clash of ids). */
export function withRuntimeSilences(config: PolicyConfig, silences: readonly RuntimeSilence[]): PolicyConfig {
  if (silences.length === 0) return config;
  const ids = new Set(config.silences.map((s) => s.id));
  const extra = silences.filter((s) => !ids.has(s.id)).map(toPolicySilence);
  return { ...config, silences: [...config.silences, ...extra] };
}

/** Silences expired early within `withinMs` before `now`: scopes they held must be looked at again. */
export function recentlyExpired(
  silences: readonly RuntimeSilence[],
  now: number,
  withinMs: number,
): Set<string> {
  return new Set(
    silences
      .filter((s) => s.expiredAt !== undefined && now - Date.parse(s.expiredAt) <= withinMs)
      .map((s) => s.id),
  );
}
