import { createInterface } from 'node:readline';
import type * as z from 'zod/mini';
import { renderChatNotification } from '../../functions/core/chat-notification';
import { ConfigError, ValidationError } from '../../functions/core/errors';
import type { TriageEvent } from '../../functions/core/event';
import { parseCanonicalEvent } from '../../functions/core/normalize';
import {
  type PagerDutyRouting,
  PagerDutyRoutingSchema,
  pagerDutyEvent,
} from '../../functions/core/pagerduty-event';
import {
  DEFAULT_POLICY,
  type NotificationIntent,
  type PolicyConfig,
  parsePolicyConfig,
  renderNotification,
  simulate,
} from '../../functions/core/policy';
import { type Runbooks, RunbooksSchema, runbookUrl } from '../../functions/core/runbooks';
import { readConfigFile } from '../config-file';
import { type CliContext, EXIT, UsageError } from '../io';

/** What `--format` may name (cli/program.ts declares the choices). */
export type SimulateFormat = 'json' | 'email' | 'chat' | 'pagerduty';

export interface SimulateOptions {
  readonly config?: string;
  readonly start?: string;
  readonly full?: boolean;
  readonly format?: SimulateFormat;
  /** The default output is JSON lines: accepted so that `--json` works on every command printing data. */
  readonly json?: boolean;
}

/** What the deployment config says beside the policy about how notifications are delivered. */
interface Delivery {
  readonly runbooks: Runbooks;
  readonly routing: PagerDutyRouting;
}

/**
 * Each notification as a channel receives it: the notification JSON (queues, Lambda), the e-mail (subject
 * and text), the Chatbot message (Slack, Teams), the PagerDuty Events v2 event without its routing key
 * (the config's forwarding, by default the support topic, critical and high; notifications PagerDuty would
 * not get are left out). Each carries the config's runbook link.
 */
const FORMATS = {
  json: (intent, { runbooks }) => renderNotification(intent, runbookUrl(runbooks, intent)).json,
  email: (intent, { runbooks }) => {
    const { subject, text } = renderNotification(intent, runbookUrl(runbooks, intent));
    return `Subject: ${subject}\n\n${text}\n`;
  },
  chat: (intent, { runbooks }) =>
    JSON.stringify(renderChatNotification(intent, runbookUrl(runbooks, intent))),
  pagerduty: (intent, { runbooks, routing }) => {
    const event = pagerDutyEvent(intent, routing, runbookUrl(runbooks, intent));
    return event === undefined ? undefined : JSON.stringify(event);
  },
} as const satisfies Record<
  SimulateFormat,
  (intent: NotificationIntent, delivery: Delivery) => string | undefined
>;

/** Bad input lines reported before giving up (the rest are only counted). */
const MAX_REPORTED_ERRORS = 20;

/** The top-level keys of a bare policy file (the `policy` key of the deployment config, alone). */
const POLICY_KEYS = new Set(Object.keys(DEFAULT_POLICY));

/**
 * The policy and delivery settings of `--config FILE`: a deployment config (as `extract --config` takes
 * it, or cdk.json), or — when every key is a policy key — the policy alone.
 */
async function loadConfig(
  file: string | undefined,
  cwd: string,
): Promise<{ policy: PolicyConfig; delivery: Delivery }> {
  const defaults = { runbooks: {}, routing: PagerDutyRoutingSchema.parse({}) };
  if (file === undefined) return { policy: DEFAULT_POLICY, delivery: defaults };
  const config = await readConfigFile(file, cwd);
  const keys = Object.keys(config);
  const bare = keys.length > 0 && keys.every((key) => POLICY_KEYS.has(key));
  try {
    if (bare) return { policy: parsePolicyConfig(config), delivery: defaults };
    const policy = parsePolicyConfig(config.policy ?? {});
    const runbooks = RunbooksSchema.safeParse(config.runbooks ?? {});
    if (!runbooks.success) throw new UsageError(`--config ${file}: runbooks: ${problems(runbooks.error)}`);
    const pagerDuty = (config.pagerDuty ?? {}) as { topics?: unknown; severities?: unknown };
    const routing = PagerDutyRoutingSchema.safeParse({
      topics: pagerDuty.topics,
      severities: pagerDuty.severities,
    });
    if (!routing.success) throw new UsageError(`--config ${file}: pagerDuty: ${problems(routing.error)}`);
    return { policy, delivery: { runbooks: runbooks.data, routing: routing.data } };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--config ${file}: ${error.message}`);
    throw error;
  }
}

function problems(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`).join('; ');
}

function parseStart(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(
      `--start must be an ISO-8601 date-time such as 2026-11-25T15:00:00Z, got "${value}"`,
    );
  }
  return ms;
}

/** One input line → a canonical event, or a sentence saying what is wrong with it. */
function parseLine(line: string, n: number): TriageEvent | string {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return 'expected a JSON object (one event)';
  try {
    return parseCanonicalEvent({ id: `line-${n}`, ...json });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.details.map((d) => `${d.path}: ${d.message}`).join('; ') || error.message;
  }
}

/** The line printed per notification: what a human tuning thresholds needs, or the whole intent. */
function summaryOf(intent: NotificationIntent) {
  return {
    at: intent.at,
    notificationId: intent.notificationId,
    kind: intent.kind,
    severity: intent.severity,
    status: intent.status,
    name: intent.name,
    model: intent.model ?? null,
    account: intent.account ?? null,
    count: intent.count,
    newSinceLast: intent.newSinceLast,
    firstSeen: intent.firstSeen,
    lastSeen: intent.lastSeen,
    apps: intent.apps,
    scopeKey: intent.scopeKey,
    ...(intent.delayedBySilence !== undefined ? { delayedBySilence: intent.delayedBySilence } : {}),
  };
}

/** `triage simulate`. */
export async function run(values: SimulateOptions, { io, cwd }: CliContext): Promise<number> {
  const format = values.format;
  const { policy: config, delivery } = await loadConfig(values.config, cwd);
  const startAt = parseStart(values.start);

  const events: TriageEvent[] = [];
  const errors: string[] = [];
  let n = 0;
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (line.trim() === '') continue;
    const parsed = parseLine(line, n);
    if (typeof parsed === 'string') errors.push(`line ${n}: ${parsed}`);
    else events.push(parsed);
  }
  if (errors.length > 0) {
    for (const error of errors.slice(0, MAX_REPORTED_ERRORS)) io.err(error);
    if (errors.length > MAX_REPORTED_ERRORS)
      io.err(`… and ${errors.length - MAX_REPORTED_ERRORS} more bad lines`);
    io.err(`triage simulate: ${errors.length} of ${n} lines are not valid events; nothing was simulated`);
    return EXIT.usage;
  }

  const result = simulate(events, config, startAt === undefined ? {} : { startAt });
  for (const intent of result.intents) {
    const line = format
      ? FORMATS[format](intent, delivery)
      : JSON.stringify(values.full ? intent : summaryOf(intent));
    if (line !== undefined) io.out(line);
  }
  io.err(
    `simulated ${result.events} events in ${result.scopes} scopes: ${result.intents.length} notifications`,
  );
  return EXIT.ok;
}
