import * as z from 'zod/mini';
import { deepFreeze } from '../deep-freeze';
import { ConfigError, type FieldError } from '../errors';
import { parseTime } from '../event';

/**
 * The one policy config schema (docs/design.md, "Configuration"): every threshold, window and interval, with the documented
 * defaults. Durations are whole seconds everywhere so that no key needs a unit lookup. Unknown keys are
 * rejected so that a typo (`persistance`) fails the deploy instead of silently using a default.
 */

const OBJECT = { error: 'expected an object' };

const int = (min: number, unit = '') =>
  z
    .int({ error: `expected an integer${unit} ≥ ${min}` })
    .check(z.minimum(min, `expected an integer${unit} ≥ ${min}`));

const seconds = (fallback: number, min = 1) => z._default(int(min, ' number of seconds'), fallback);

const statusList = (from: number, to: number, label: string, fallback: number[]) =>
  z._default(
    z
      .array(
        z
          .int({ error: `expected ${label} status codes (${from}–${to})` })
          .check(
            z.minimum(from, `expected ${label} status codes (${from}–${to})`),
            z.maximum(to, `expected ${label} status codes (${from}–${to})`),
          ),
        { error: `expected an array of ${label} status codes` },
      )
      .check(z.maxLength(100, 'expected at most 100 status codes')),
    fallback,
  );

const time = z.pipe(
  z
    .union([z.string(), z.number()], {
      error: 'expected an ISO-8601 date-time with a time zone or epoch milliseconds',
    })
    .check(
      z.refine((value) => parseTime(value) !== undefined, {
        error:
          'expected an ISO-8601 date-time with a time zone (e.g. 2026-11-25T15:00:00Z) or epoch milliseconds',
      }),
    ),
  z.transform((value: string | number) => parseTime(value) as number),
);

const names = (label: string) =>
  z.optional(
    z
      .array(z.string().check(z.minLength(1, `expected non-empty ${label}`), z.maxLength(512)), {
        error: `expected an array of ${label}`,
      })
      .check(z.minLength(1, `expected at least one ${label.replace(/s$/, '')}`)),
  );

const SilenceSchema = z
  .strictObject(
    {
      id: z
        .string({ error: 'expected a silence id (text)' })
        .check(z.minLength(1, 'expected a non-empty silence id'), z.maxLength(128)),
      startsAt: time,
      endsAt: time,
      statuses: z.optional(
        z
          .array(
            z
              .int({ error: 'expected HTTP status codes (100–599)' })
              .check(
                z.minimum(100, 'expected HTTP status codes'),
                z.maximum(599, 'expected HTTP status codes'),
              ),
          )
          .check(z.minLength(1, 'expected at least one status')),
      ),
      models: names('models'),
      accounts: names('accounts'),
      apps: names('apps'),
      environments: names('environments'),
      comment: z.optional(z.string().check(z.maxLength(1024))),
    },
    OBJECT,
  )
  .check(
    z.refine((s) => !(s.endsAt <= s.startsAt), { error: 'expected endsAt after startsAt', path: ['endsAt'] }),
    // A silence without matchers would mute every notification: make that an explicit choice of statuses.
    z.refine((s) => !!(s.statuses ?? s.models ?? s.accounts ?? s.apps ?? s.environments), {
      error: 'expected at least one of statuses, models, accounts, apps, environments',
    }),
  );

const PolicyConfigSchema = z.prefault(
  z
    .strictObject(
      {
        incidents: z.prefault(
          z
            .strictObject(
              {
                /** Statuses that open an incident on the first error; every other 5xx must persist. */
                immediateStatuses: statusList(500, 599, '5xx', [500]),
                persistence: z.prefault(
                  z
                    .strictObject(
                      {
                        minErrors: z._default(int(1), 5),
                        windowSeconds: seconds(600),
                        minSpanSeconds: seconds(120, 0),
                      },
                      OBJECT,
                    )
                    .check(
                      z.refine((p) => !(p.minSpanSeconds > p.windowSeconds), {
                        error: 'expected minSpanSeconds ≤ windowSeconds (the span must fit in the window)',
                        path: ['minSpanSeconds'],
                      }),
                    ),
                  {},
                ),
                reminderIntervalSeconds: seconds(3600),
                resolveAfterQuietSeconds: seconds(900),
              },
              OBJECT,
            )
            .check(
              // A late event must not be able to reopen what a quiet period just resolved.
              z.refine((i) => !(i.persistence.windowSeconds > i.resolveAfterQuietSeconds), {
                error: 'expected resolveAfterQuietSeconds ≥ persistence.windowSeconds',
                path: ['resolveAfterQuietSeconds'],
              }),
            ),
          {},
        ),
        accountIssues: z.prefault(
          z.strictObject(
            {
              statuses: statusList(400, 499, '4xx', [401, 402, 403, 412]),
              groupWaitSeconds: seconds(60, 0),
              updateIntervalSeconds: seconds(900),
              /** An update needs the count to have grown this many times since the last notice (or a new app or key). */
              updateGrowthFactor: z._default(
                z.number({ error: 'expected a number ≥ 1' }).check(z.minimum(1, 'expected a number ≥ 1')),
                2,
              ),
              reminderIntervalSeconds: seconds(86_400),
              resolveAfterQuietSeconds: seconds(3600),
            },
            OBJECT,
          ),
          {},
        ),
        silences: z._default(
          z
            .array(SilenceSchema, { error: 'expected an array of silences' })
            .check(z.maxLength(200, 'expected at most 200 silences')),
          [],
        ),
        /** Events stamped further in the future than this are counted but never open anything. */
        clockSkewSeconds: seconds(300, 0),
        outboxRetrySeconds: seconds(60),
        /**
         * Bound on each scope's memory of batches not yet settled (see recent-batches.ts). Counting is exact
         * while a scope holds fewer unsettled batches than this: a hot scope holds those of every invocation
         * in flight (up to the bulk lane's concurrency × 100 messages) and of every failed invocation until
         * its messages come back, so it must stay far above that (issue 22: 256 double-counted a storm with
         * four failed invocations of 100 messages). 4 096 fingerprints are ~49 KB of record at most.
         */
        dedupe: z.prefault(
          z.strictObject(
            {
              horizonSeconds: seconds(7200),
              maxBatchIds: z._default(int(1), 4096),
            },
            OBJECT,
          ),
          {},
        ),
      },
      OBJECT,
    )
    .check(
      z.refine(
        (c) => !Array.isArray(c.silences) || new Set(c.silences.map((s) => s.id)).size === c.silences.length,
        {
          error: 'expected unique silence ids',
          path: ['silences'],
        },
      ),
    ),
  {},
);

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The parsed, fully defaulted policy config. Times are epoch milliseconds, durations seconds. */
export type PolicyConfig = DeepReadonly<z.output<typeof PolicyConfigSchema>>;
export type Silence = PolicyConfig['silences'][number];

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

/** Validate a policy config (object or JSON text already parsed); throws ConfigError naming each bad key. */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  const parsed = PolicyConfigSchema.safeParse(input);
  if (parsed.success) return deepFreeze(parsed.data);
  const details: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details.push({ path: pathOf([...issue.path, key]), message: 'unknown key' });
    } else {
      details.push({ path: pathOf(issue.path) || '(config)', message: issue.message });
    }
  }
  throw new ConfigError(
    `invalid policy config: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

// Pure: a bundle that never reads it (the Lambda handlers parse POLICY_CONFIG) does not parse it at import.
export const DEFAULT_POLICY: PolicyConfig = /* @__PURE__ */ parsePolicyConfig({});
