/**
 * Deployment configuration: `cdk.json` context (or `cdk synth -c key=value`) turned into ONE validated,
 * readonly props object. Every key, its default and examples are documented in docs/config.md.
 */
import type { Construct } from 'constructs';
import * as z from 'zod/mini';
import type { Severity } from '../functions/core/catalog';
import { deepFreeze } from '../functions/core/deep-freeze';
import { ConfigError, type FieldError } from '../functions/core/errors';
import { COUNT_MODES, type CountMode } from '../functions/core/extract/attribution';
import { issuesToFieldErrors } from '../functions/core/normalize';
import { PagerDutyRoutingSchema } from '../functions/core/pagerduty-event';
import { type PolicyConfig, parsePolicyConfig } from '../functions/core/policy';
import type { Topic } from '../functions/core/policy/types';
import { type Runbooks, RunbooksSchema } from '../functions/core/runbooks';

/** SNS protocols a subscriber may use; each has its own endpoint shape (see ENDPOINT_RULES). */
export type SubscriptionProtocol = 'email' | 'https' | 'sqs' | 'lambda' | 'sms';

/** SNS message attributes the notifier sets (contracts), the only keys a filter policy can match on. */
export const MESSAGE_ATTRIBUTES = ['kind', 'severity', 'status', 'account', 'model', 'app'] as const;

/**
 * An SNS subscription filter policy on message attributes: attribute → list of conditions, as in the SNS docs,
 * e.g. `{ "severity": ["critical"], "status": [{ "prefix": "5" }] }`. Attribute values are strings.
 */
export type FilterPolicy = Readonly<Record<string, readonly unknown[]>>;

export interface SubscriptionConfig {
  readonly protocol: SubscriptionProtocol;
  /** E-mail address, `https://` URL, SQS queue ARN, Lambda function ARN or E.164 phone number. */
  readonly endpoint: string;
  /** @default - every message on the topic */
  readonly filterPolicy?: FilterPolicy;
}

export interface BillingOwnerConfig {
  readonly protocol: SubscriptionProtocol;
  readonly endpoint: string;
  /** Account names (the `account` message attribute) this owner hears about. */
  readonly accounts: readonly string[];
}

export interface ThrottlingConfig {
  /** Steady-state requests per second on the API stage. @default 50 */
  readonly rateLimit: number;
  /** Burst requests on the API stage. @default 100 */
  readonly burstLimit: number;
}

/** How the triage function consumes one lane's queue (defaults: urgent 10 / 1 s, bulk 100 / 60 s). */
export interface TriageBatchConfig {
  /** Messages per triage invocation. */
  readonly batchSize: number;
  /** Seconds SQS waits to fill a batch. */
  readonly maxBatchingWindowSeconds: number;
  /** Deliveries of a message before it moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount: number;
  /**
   * Concurrent triage invocations the lane's event source may run (2–1000; Lambda's default when absent).
   * Every bulk invocation writes the same hot scopes (counters, account groups): two at a time keep
   * conditional-write conflicts rare while one invocation takes up to 100 messages of 500 events.
   * @default urgent: none, bulk: 2
   */
  readonly maxConcurrency?: number;
}

/**
 * One writer per scope (docs/scaling.md, "One writer per scope"): the bulk lane's triage splits each message
 * by scope onto a FIFO queue (the scope lane) whose message group is the scope, and the same function
 * applies it, one batch per scope at a time: no two invocations race on a scope, at any concurrency.
 */
export interface ScopeLaneConfig {
  /** @default false: the bulk lane's invocations write the scopes themselves (cheaper up to ~20 000 events/s). */
  readonly enabled: boolean;
  /** Scope lane invocations at once (2–1000; Lambda runs at most one per scope in flight). @default 10 */
  readonly maxConcurrency: number;
  /** Deliveries of a part before it moves to the scope lane's dead-letter queue. @default 5 */
  readonly maxReceiveCount: number;
}

/** A subscribed log group and which of its errors count (functions/core/extract/attribution.ts CountMode). */
export interface LogGroupConfig {
  readonly name: string;
  readonly count: CountMode;
}

export type FunctionName = 'ingest' | 'codes' | 'triage' | 'sweep' | 'logs' | 'oncall';

/** A Slack channel that AWS Chatbot posts the notifications of its topics to. */
export interface SlackChannelConfig {
  /** Name of the channel configuration (letters, digits, - and _). */
  readonly name: string;
  /** The Slack workspace id (authorised once in the Chatbot console), e.g. T0123ABCD. */
  readonly slackWorkspaceId: string;
  /** The channel id, e.g. C0123ABCD (the channel's "Copy link" ends with it). */
  readonly slackChannelId: string;
  /** @default ['support'] */
  readonly topics: readonly Topic[];
  /** Only the notifications that match, through a topic of the channel's own (docs/config.md). @default - every notification of its topics */
  readonly filterPolicy?: FilterPolicy;
}

/** A Microsoft Teams channel that AWS Chatbot posts the notifications of its topics to. */
export interface TeamsChannelConfig {
  readonly name: string;
  /** The team's id (a UUID). */
  readonly teamId: string;
  /** The channel id as the Chatbot console shows it (URL-encoded, `19%3a…%40thread.tacv2`). */
  readonly teamsChannelId: string;
  /** The Microsoft 365 tenant id (a UUID). */
  readonly teamsTenantId: string;
  /** @default ['support'] */
  readonly topics: readonly Topic[];
  /** Only the notifications that match, through a topic of the channel's own (docs/config.md). @default - every notification of its topics */
  readonly filterPolicy?: FilterPolicy;
}

export interface ChatConfig {
  readonly slack: readonly SlackChannelConfig[];
  readonly teams: readonly TeamsChannelConfig[];
}

/** PagerDuty Events API v2 forwarding (functions/pagerduty): absent, nothing is forwarded. */
export interface PagerDutyConfig {
  /** Name of the Secrets Manager secret holding the routing (integration) key; the key never enters config. */
  readonly secretName: string;
  /** @default ['support'] */
  readonly topics: readonly Topic[];
  /** Severities that trigger a PagerDuty incident (acknowledge and resolve always follow). @default ['critical', 'high'] */
  readonly severities: readonly Severity[];
  /** @default 'https://events.pagerduty.com/v2/enqueue' (an EU account: https://events.eu.pagerduty.com/v2/enqueue) */
  readonly eventsUrl: string;
}

/** Where alarms go: a dedicated ops topic, or the support-escalations topic. */
export type AlarmTopicChoice = 'ops' | 'support';

export interface TriageConfig {
  /**
   * Policy engine configuration (thresholds, windows, silences), validated and defaulted by the engine's own
   * `parsePolicyConfig`; passed to triage and sweep as POLICY_CONFIG. @default {} (the defaults of docs/design.md, "The policy")
   */
  readonly policy: PolicyConfig;
  /**
   * CloudWatch log groups to subscribe to the logs function, each with the errors it counts (a name alone
   * counts as `logCount` says). @default []
   */
  readonly logGroups: readonly LogGroupConfig[];
  /** Which extracted errors a log group counts unless it says otherwise. @default 'default' */
  readonly logCount: CountMode;
  /** Runbook URLs by status, by route and by default, carried in every notification. @default {} */
  readonly runbooks: Runbooks;
  /** Slack and Teams channels fed by AWS Chatbot. @default { slack: [], teams: [] } */
  readonly chat: ChatConfig;
  /** PagerDuty forwarding. @default - none */
  readonly pagerDuty?: PagerDutyConfig;
  /** Subscription filter pattern for those log groups. @default DEFAULT_LOG_FILTER_PATTERN */
  readonly logFilterPattern: string;
  /** Subscriptions to the support-escalations topic. @default [] */
  readonly supportSubscriptions: readonly SubscriptionConfig[];
  /** Subscriptions to the account-issues topic, each filtered to its accounts. @default [] */
  readonly billingOwners: readonly BillingOwnerConfig[];
  readonly throttling: ThrottlingConfig;
  /** How long the ingest and on-call functions cache a token lookup. @default 60 */
  readonly tokenCacheSeconds: number;
  /** The longest run-time silence `POST /v1/silences` accepts, in seconds. @default 604800 (7 days) */
  readonly maxSilenceSeconds: number;
  /** Retention of every log group the stack creates. @default 30 */
  readonly logRetentionDays: number;
  /** @default 'ops' */
  readonly alarmTopic: AlarmTopicChoice;
  /** E-mail address subscribed to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /**
   * The urgent lane: events whose status is in `policy.incidents.immediateStatuses` (500), which page at once.
   * @default { batchSize: 10, maxBatchingWindowSeconds: 1, maxReceiveCount: 5 }
   */
  readonly urgentBatch: TriageBatchConfig;
  /**
   * The bulk lane: every other event (persistent 5xx, account issues, counts), whose rules wait minutes by
   * design; a longer window collapses more messages into each scope write.
   * @default { batchSize: 100, maxBatchingWindowSeconds: 60, maxReceiveCount: 5, maxConcurrency: 2 }
   * (2: the top of the measured curve of concurrent handlers on a storm, docs/scaling.md)
   */
  readonly bulkBatch: TriageBatchConfig;
  /** @default { enabled: false, maxConcurrency: 10, maxReceiveCount: 5 } */
  readonly scopeLane: ScopeLaneConfig;
  /** Memory (MB) per function. @default ingest 512, codes 256, triage 512, sweep 512, logs 512, oncall 256 */
  readonly memorySize: Readonly<Record<FunctionName, number>>;
}

/**
 * Every line: the logs function's first look is cheaper than a filter pattern is complete. A word list such
 * as `?ERROR ?Error ?status …` let through only four in five of the real error lines measured
 * (test/fixtures/logs/real): access logs (`| 500 |`), HTML error pages, `Too Many Requests`,
 * `rateLimited`, `"code": 429` never reached the function.
 */
export const DEFAULT_LOG_FILTER_PATTERN = '';

/** Retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Context keys whose values are strings; `-c key=value` values of the other keys are parsed as JSON. */
const STRING_KEYS = new Set(['logFilterPattern', 'alarmTopic', 'alarmEmail']);

const PROTOCOLS = ['email', 'https', 'sqs', 'lambda', 'sms'] as const;

const ENDPOINT_RULES: Readonly<Record<SubscriptionProtocol, { pattern: RegExp; expected: string }>> = {
  email: { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: 'an e-mail address' },
  https: { pattern: /^https:\/\/[^\s]+$/, expected: 'an https:// URL' },
  sqs: { pattern: /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]+(\.fifo)?$/, expected: 'an SQS queue ARN' },
  lambda: {
    pattern: /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/,
    expected: 'a Lambda function ARN',
  },
  sms: { pattern: /^\+[1-9]\d{6,14}$/, expected: 'an E.164 phone number such as +14155550100' },
};

const error = (message: string) => ({ error: message });

function intIn(min: number, max: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z
    .number(error(message))
    .check(z.int(error(message)), z.gte(min, error(message)), z.lte(max, error(message)));
}

const nonEmptyString = (what: string) =>
  z.string(error(`expected ${what}`)).check(z.minLength(1, error(`expected ${what}`)));

/** A strict object: a misspelt key is an error rather than a silently ignored setting. */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : `expected ${what}`,
  });
}

const ProtocolSchema = z.enum(PROTOCOLS, error(`expected one of ${PROTOCOLS.join(', ')}`));

/** SNS: a filter policy names at most 5 attributes. */
const MAX_FILTER_ATTRIBUTES = 5;

/**
 * Channels with a filterPolicy the relay can serve: each names its queue and topic in the relay's environment
 * (two ARNs, ~200 bytes), which Lambda caps at 4 KB.
 */
export const MAX_FILTERED_CHANNELS = 15;

const FilterPolicySchema = z
  .record(
    z.string(),
    z
      .array(z.unknown(), error('expected a non-empty array of conditions'))
      .check(z.minLength(1, error('expected a non-empty array of conditions'))),
    error('expected an SNS filter policy object, e.g. { "severity": ["critical"] }'),
  )
  .check(
    z.superRefine((policy, ctx) => {
      if (Object.keys(policy).length > MAX_FILTER_ATTRIBUTES) {
        ctx.issues.push({
          code: 'custom',
          input: policy,
          path: [],
          message: `expected at most ${MAX_FILTER_ATTRIBUTES} attribute names (an SNS limit), got ${Object.keys(policy).length}`,
        });
      }
      for (const key of Object.keys(policy)) {
        if (!(MESSAGE_ATTRIBUTES as readonly string[]).includes(key)) {
          ctx.issues.push({
            code: 'custom',
            input: policy,
            path: [key],
            message: `not a message attribute; expected one of ${MESSAGE_ATTRIBUTES.join(', ')}`,
          });
        }
      }
    }),
  );

/** Checks the endpoint against its protocol, reporting on the `endpoint` key. */
const endpointMatchesProtocol = z.superRefine(
  (value: { readonly protocol: SubscriptionProtocol; readonly endpoint: string }, ctx) => {
    const rule = ENDPOINT_RULES[value.protocol];
    if (!rule.pattern.test(value.endpoint)) {
      ctx.issues.push({
        code: 'custom',
        input: value.endpoint,
        path: ['endpoint'],
        message: `expected ${rule.expected} for protocol "${value.protocol}"`,
      });
    }
  },
);

const SubscriptionSchema = strictObject(
  {
    protocol: ProtocolSchema,
    endpoint: nonEmptyString('a subscription endpoint'),
    filterPolicy: z.optional(FilterPolicySchema),
  },
  'a subscription { protocol, endpoint, filterPolicy? }',
).check(endpointMatchesProtocol);

const BillingOwnerSchema = strictObject(
  {
    protocol: ProtocolSchema,
    endpoint: nonEmptyString('a subscription endpoint'),
    accounts: z
      .array(nonEmptyString('an account name'), error('expected a non-empty array of account names'))
      .check(z.minLength(1, error('expected a non-empty array of account names'))),
  },
  'a billing owner { protocol, endpoint, accounts }',
).check(endpointMatchesProtocol);

/** One lane's event source settings, with that lane's defaults. */
function batchSchema(defaults: {
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency?: number;
}) {
  const concurrency = intIn(2, 1000);
  return z.prefault(
    strictObject(
      {
        batchSize: z._default(intIn(1, 10_000), defaults.batchSize),
        maxBatchingWindowSeconds: z._default(intIn(0, 300), defaults.maxBatchingWindowSeconds),
        maxReceiveCount: z._default(intIn(1, 1000), 5),
        maxConcurrency:
          defaults.maxConcurrency === undefined
            ? z.optional(concurrency)
            : z._default(concurrency, defaults.maxConcurrency),
      },
      'an object { batchSize, maxBatchingWindowSeconds, maxReceiveCount, maxConcurrency }',
    ).check(
      z.refine((batch) => batch.batchSize <= 10 || batch.maxBatchingWindowSeconds >= 1, {
        path: ['maxBatchingWindowSeconds'],
        error: 'expected at least 1 when batchSize is above 10 (an SQS event source rule)',
      }),
    ),
    {},
  );
}

const LOG_GROUP_NAME = /^[\w\-./#]{1,512}$/;

const CountModeSchema = z.enum(
  COUNT_MODES,
  error(`expected one of ${COUNT_MODES.map((m) => `"${m}"`).join(', ')}`),
);

const LogGroupSchema = z.union(
  [
    z
      .string()
      .check(
        z.regex(LOG_GROUP_NAME, error('expected a log group name (letters, digits and _-./#, up to 512)')),
      ),
    strictObject(
      {
        name: z
          .string(error('expected a log group name'))
          .check(
            z.regex(
              LOG_GROUP_NAME,
              error('expected a log group name (letters, digits and _-./#, up to 512)'),
            ),
          ),
        count: z.optional(CountModeSchema),
      },
      'a log group',
    ),
  ],
  error(
    `expected a log group name, or {"name": …, "count": ${COUNT_MODES.map((m) => `"${m}"`).join(' | ')}}`,
  ),
);

const CHANNEL_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const UUID = /^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;

const TopicsSchema = z._default(
  z
    .array(
      z.enum(['support', 'account'], error('expected "support" or "account"')),
      error('expected an array of topics'),
    )
    .check(z.minLength(1, error('expected at least one topic'))),
  ['support'],
);

const pattern = (regex: RegExp, what: string) =>
  z.string(error(`expected ${what}`)).check(z.regex(regex, error(`expected ${what}`)));

const SlackChannelSchema = strictObject(
  {
    name: pattern(CHANNEL_NAME, 'a configuration name (letters, digits, - and _, up to 128)'),
    slackWorkspaceId: pattern(/^[0-9A-Z]{1,255}$/, 'a Slack workspace id such as T0123ABCD'),
    slackChannelId: pattern(/^[A-Za-z0-9]{1,255}$/, 'a Slack channel id such as C0123ABCD'),
    topics: TopicsSchema,
    filterPolicy: z.optional(FilterPolicySchema),
  },
  'a Slack channel { name, slackWorkspaceId, slackChannelId, topics?, filterPolicy? }',
);

const TeamsChannelSchema = strictObject(
  {
    name: pattern(CHANNEL_NAME, 'a configuration name (letters, digits, - and _, up to 128)'),
    teamId: pattern(UUID, 'the team id (a UUID)'),
    teamsChannelId: pattern(
      /^[\w\-=+/.,]*%3[aA][\w\-=+/.,]*%40[\w\-=+/.,]*$/,
      'the URL-encoded Teams channel id, e.g. 19%3a…%40thread.tacv2',
    ),
    teamsTenantId: pattern(UUID, 'the tenant id (a UUID)'),
    topics: TopicsSchema,
    filterPolicy: z.optional(FilterPolicySchema),
  },
  'a Teams channel { name, teamId, teamsChannelId, teamsTenantId, topics?, filterPolicy? }',
);

const ChatSchema = z.prefault(
  strictObject(
    {
      slack: z._default(z.array(SlackChannelSchema, error('expected an array of Slack channels')), []),
      teams: z._default(z.array(TeamsChannelSchema, error('expected an array of Teams channels')), []),
    },
    'an object { slack, teams }',
  ).check(
    z.superRefine((chat, ctx) => {
      const names = [...chat.slack, ...chat.teams].map((channel) => channel.name);
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i)
          ctx.issues.push({
            code: 'custom',
            input: name,
            path: [],
            message: `duplicate channel name "${name}"`,
          });
      });
      const filtered = [...chat.slack, ...chat.teams].filter((channel) => channel.filterPolicy);
      if (filtered.length > MAX_FILTERED_CHANNELS)
        ctx.issues.push({
          code: 'custom',
          input: filtered.length,
          path: [],
          message: `expected at most ${MAX_FILTERED_CHANNELS} channels with a filterPolicy, got ${filtered.length}`,
        });
    }),
  ),
  {},
);

const PagerDutySchema = z.optional(
  strictObject(
    {
      ...PagerDutyRoutingSchema.shape,
      secretName: pattern(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name').check(
        // A synth-time guard: the key itself would end up in cdk.json, the template and the function's env.
        z.refine((name) => !/^[A-Za-z0-9]{32}$/.test(name), {
          error:
            'looks like a routing key: store the key in a Secrets Manager secret and give the secret name',
        }),
      ),
      eventsUrl: z._default(
        z.url({ protocol: /^https$/, error: 'expected an https:// URL' }),
        'https://events.pagerduty.com/v2/enqueue',
      ),
    },
    'an object { secretName, topics?, severities?, eventsUrl? }',
  ),
);

const ConfigSchema = z.object({
  logGroups: z._default(
    z.array(LogGroupSchema, error('expected an array of log groups')).check(
      z.superRefine((groups, ctx) => {
        const names = groups.map((group) => (typeof group === 'string' ? group : group.name));
        names.forEach((name, i) => {
          if (names.indexOf(name) !== i) {
            ctx.issues.push({
              code: 'custom',
              input: name,
              path: [i],
              message: `duplicate log group "${name}"`,
            });
          }
        });
      }),
    ),
    [],
  ),
  logCount: z._default(CountModeSchema, 'default'),
  runbooks: z._default(RunbooksSchema, {}),
  chat: ChatSchema,
  pagerDuty: PagerDutySchema,
  logFilterPattern: z._default(
    z
      .string(error('expected a filter pattern'))
      .check(z.maxLength(1024, error('expected at most 1024 characters'))),
    DEFAULT_LOG_FILTER_PATTERN,
  ),
  supportSubscriptions: z._default(
    z.array(SubscriptionSchema, error('expected an array of subscriptions')),
    [],
  ),
  billingOwners: z._default(z.array(BillingOwnerSchema, error('expected an array of billing owners')), []),
  throttling: z.prefault(
    strictObject(
      { rateLimit: z._default(intIn(1, 10_000), 50), burstLimit: z._default(intIn(1, 5_000), 100) },
      'an object { rateLimit, burstLimit }',
    ),
    {},
  ),
  tokenCacheSeconds: z._default(intIn(0, 3600), 60),
  maxSilenceSeconds: z._default(intIn(60, 31_622_400), 604_800),
  logRetentionDays: z._default(
    z.union(
      LOG_RETENTION_DAYS.map((days) => z.literal(days)),
      error(`expected one of ${LOG_RETENTION_DAYS.join(', ')}`),
    ),
    30,
  ),
  alarmTopic: z._default(z.enum(['ops', 'support'], error('expected "ops" or "support"')), 'ops'),
  alarmEmail: z.optional(
    z
      .string(error('expected an e-mail address'))
      .check(z.regex(ENDPOINT_RULES.email.pattern, error('expected an e-mail address'))),
  ),
  urgentBatch: batchSchema({ batchSize: 10, maxBatchingWindowSeconds: 1 }),
  bulkBatch: batchSchema({ batchSize: 100, maxBatchingWindowSeconds: 60, maxConcurrency: 2 }),
  scopeLane: z.prefault(
    strictObject(
      {
        enabled: z._default(z.boolean(error('expected true or false')), false),
        maxConcurrency: z._default(intIn(2, 1000), 10),
        maxReceiveCount: z._default(intIn(1, 1000), 5),
      },
      'an object { enabled, maxConcurrency, maxReceiveCount }',
    ),
    {},
  ),
  memorySize: z.prefault(
    strictObject(
      {
        ingest: z._default(intIn(128, 10_240), 512),
        codes: z._default(intIn(128, 10_240), 256),
        triage: z._default(intIn(128, 10_240), 512),
        sweep: z._default(intIn(128, 10_240), 512),
        logs: z._default(intIn(128, 10_240), 512),
        oncall: z._default(intIn(128, 10_240), 256),
      },
      'an object { ingest, codes, triage, sweep, logs, oncall } of megabytes',
    ),
    {},
  ),
});

/** Keys earlier versions read: set, they fail synth instead of being silently ignored. */
const RENAMED_KEYS: Readonly<Record<string, string>> = {
  triageBatch:
    'replaced by urgentBatch (500s that page at once) and bulkBatch (every other event): see docs/config.md',
  includeNonFireworks:
    'replaced by logCount ("default", "llm" or "all") and a log group\'s own "count": see docs/config.md',
};

/** The context keys this app reads. */
export const CONFIG_KEYS = ['policy', ...Object.keys(ConfigSchema.shape)] as readonly (keyof TriageConfig)[];

/**
 * Lambda allows 4 KB of environment per function; the policy travels as one variable next to a few short
 * ones, so it must stay well below that (long silence lists belong in fewer, broader silences).
 */
export const MAX_POLICY_JSON_BYTES = 3072;

/** The policy engine validates its own config; its errors are reported under the `policy` key. */
function checkPolicy(input: unknown, details: FieldError[]): PolicyConfig | undefined {
  try {
    const policy = parsePolicyConfig(input ?? {});
    const bytes = Buffer.byteLength(JSON.stringify(policy));
    if (bytes > MAX_POLICY_JSON_BYTES) {
      details.push({
        path: 'policy',
        message: `expected at most ${MAX_POLICY_JSON_BYTES} bytes of JSON with defaults filled in (got ${bytes}): it is passed as a Lambda environment variable`,
      });
    }
    return policy;
  } catch (caught) {
    if (!(caught instanceof ConfigError)) throw caught;
    for (const d of caught.details) {
      details.push({
        path: d.path && d.path !== '(config)' ? `policy.${d.path}` : 'policy',
        message: d.message,
      });
    }
    return undefined;
  }
}

/** `-c key=value` hands every value over as a string; numbers, booleans, arrays and objects arrive as JSON text. */
function fromCommandLine(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || STRING_KEYS.has(key)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Validate raw context values (key → value); throws a ConfigError naming every invalid key. */
export function parseConfig(context: Readonly<Record<string, unknown>>): TriageConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (context[key] !== undefined) raw[key] = fromCommandLine(key, context[key]);
  }
  const details: FieldError[] = [];
  for (const [key, message] of Object.entries(RENAMED_KEYS)) {
    if (context[key] !== undefined) details.push({ path: key, message });
  }
  const policy = checkPolicy(raw.policy, details);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) details.push(...issuesToFieldErrors('', result.error.issues));
  if (details.length > 0 || !result.success || !policy) {
    const lines = details.map((d) => `Invalid context "${d.path}": ${d.message}`);
    throw new ConfigError(lines.join('\n'), details);
  }
  const { logGroups, ...rest } = result.data;
  const config: TriageConfig = {
    policy,
    ...rest,
    logGroups: logGroups.map((group) =>
      typeof group === 'string'
        ? { name: group, count: rest.logCount }
        : { name: group.name, count: group.count ?? rest.logCount },
    ),
  };
  return deepFreeze(config);
}

/** Read and validate the app's configuration from the construct tree's context (cdk.json, `-c`). */
export function configFromContext(scope: Construct): TriageConfig {
  const context: Record<string, unknown> = {};
  for (const key of [...CONFIG_KEYS, ...Object.keys(RENAMED_KEYS)])
    context[key] = scope.node.tryGetContext(key);
  return parseConfig(context);
}
