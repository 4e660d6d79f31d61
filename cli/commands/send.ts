import { TriageError, ValidationError } from '../../functions/core/errors';
import { LIMITS } from '../../functions/core/event';
import { normalizeBody, normalizeEvent } from '../../functions/core/normalize';
import { describeConnectionError } from '../file-errors';
import { type CliContext, EXIT, UsageError } from '../io';
import { requireTarget, type StackTargetOptions, stackTargetFor } from '../stack-target';

/** Event flags (as commander names them) and the event field each one fills. */
const EVENT_FLAGS = {
  status: 'status',
  model: 'model',
  account: 'account',
  app: 'app',
  message: 'message',
  requestId: 'requestId',
  endpoint: 'endpoint',
  occurredAt: 'occurredAt',
} as const;

type EventFlag = keyof typeof EVENT_FLAGS;

const flagName = (option: string) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export interface SendOptions extends StackTargetOptions, Partial<Record<EventFlag, string>> {
  readonly count?: string;
  readonly stdin?: boolean;
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** Requests that get no answer within this time are reported as failed (a CLI must not hang). */
const REQUEST_TIMEOUT_MS = 30_000;
/** How many invalid fields or lines are listed before the rest is summarised. */
const MAX_LISTED_PROBLEMS = 20;
/** How many accepted ids the readable answer lists (`--json` has them all). */
const MAX_LISTED_IDS = 10;

/** normalizeEvent only validates here; the server makes the real ids. */
const CHECK_ONLY = { newId: () => 'check' };

export type EventFlagValues = Partial<Record<EventFlag, string>>;

function listing(headline: string, problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `\n  ${p}`);
  const more = problems.length - shown.length;
  return `${headline}${shown.join('')}${more > 0 ? `\n  … and ${more} more` : ''}`;
}

const digitsToNumber = (value: string): string | number => (/^\d+$/.test(value) ? Number(value) : value);

/**
 * The event the flags describe, checked by the same code the webhook runs (so the errors are the ones
 * the server would give, named by flag). Field values are sent as typed; the server normalises them.
 */
export function eventFromFlags(flags: EventFlagValues): Record<string, unknown> {
  if (flags.status === undefined) {
    throw new UsageError('send needs --status CODE (or --stdin with JSON events)');
  }
  const event: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(EVENT_FLAGS) as [EventFlag, string][]) {
    const value = flags[flag];
    if (value === undefined) continue;
    // Status and epoch-millisecond times are numbers on the wire; anything else stays text for the check.
    event[field] = field === 'status' || field === 'occurredAt' ? digitsToNumber(value) : value;
  }
  try {
    normalizeEvent(event, CHECK_ONLY);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const flagOf = (path: string) => {
      const entry = Object.entries(EVENT_FLAGS).find(([, field]) => field === path);
      return entry ? flagName(entry[0]) : path;
    };
    const problems = error.details.map((d) => `${flagOf(d.path)}: ${d.message}`);
    throw new UsageError(
      problems.length === 1 ? `invalid ${problems[0]}` : listing('invalid flags:', problems),
    );
  }
  return event;
}

/** `--count N`: copies of the event in one request, within the webhook's per-request limit. */
export function parseCount(text: string | undefined): number {
  if (text === undefined) return 1;
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(count >= 1 && count <= LIMITS.maxEventsPerRequest)) {
    throw new UsageError(
      `--count must be an integer from 1 to ${LIMITS.maxEventsPerRequest} (events per request), got "${text}"`,
    );
  }
  return count;
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

function tooBig(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB, more than the ${LIMITS.maxBodyBytes / 1024} KiB the webhook accepts per request`;
}

/** A single JSON body from stdin is sent as it is: one request, all-or-nothing like the webhook. */
function singleBody(body: unknown): unknown[] {
  try {
    normalizeBody(body, CHECK_ONLY);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new UsageError(
        listing(
          error.message,
          error.details.map((d) => `${d.path}: ${d.message}`),
        ),
      );
    }
    if (error instanceof TriageError && error.statusCode < 500) {
      throw new UsageError(`${error.message} — or pipe them as JSON lines, which send splits into requests`);
    }
    throw error;
  }
  const bytes = byteLength(body);
  if (bytes > LIMITS.maxBodyBytes) {
    throw new UsageError(
      `the JSON body is ${tooBig(bytes)}: pipe the events as JSON lines (one per line) and send splits them into requests`,
    );
  }
  return [body];
}

/** JSON lines: every line checked first (nothing is sent if one is bad), then packed into requests. */
function jsonLines(text: string): unknown[] {
  const events: { event: unknown; bytes: number }[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    try {
      normalizeEvent(event, CHECK_ONLY);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const d of error.details) problems.push(`${where}: ${d.path}: ${d.message}`);
      return;
    }
    const bytes = byteLength(event);
    // `{"events":[` + `]}` around a single event.
    if (bytes + 13 > LIMITS.maxBodyBytes) {
      problems.push(`${where}: the event alone is ${tooBig(bytes)}`);
      return;
    }
    events.push({ event, bytes });
  });
  if (problems.length > 0) {
    throw new UsageError(listing('invalid input on stdin; nothing was sent:', problems));
  }
  return packRequests(events);
}

/** Pack events in order into `{ events }` bodies of at most 500 events and 256 KiB each. */
export function packRequests(events: readonly { event: unknown; bytes: number }[]): unknown[] {
  const bodies: unknown[] = [];
  let current: unknown[] = [];
  let size = 13;
  for (const { event, bytes } of events) {
    const added = bytes + (current.length > 0 ? 1 : 0);
    if (current.length >= LIMITS.maxEventsPerRequest || size + added > LIMITS.maxBodyBytes) {
      bodies.push({ events: current });
      current = [];
      size = 13;
    }
    size += bytes + (current.length > 0 ? 1 : 0);
    current.push(event);
  }
  if (current.length > 0) bodies.push({ events: current });
  return bodies;
}

/**
 * The request bodies for what came on stdin: one JSON body (an event, an array of events or
 * `{ "events": [...] }`) sent as is, or JSON lines (one event per line) split into requests.
 */
export function requestsFromStdin(text: string): unknown[] {
  if (text.trim() === '') {
    throw new UsageError('nothing on stdin: expected a JSON body or JSON lines (one event per line)');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonLines(text);
  }
  return singleBody(body);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

interface Destination {
  readonly url: string;
  readonly token: string;
  /** The local stack: a refused connection means `npm start` is not running. */
  readonly local: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--url must be an http(s) URL such as https://abc.execute-api.eu-west-1.amazonaws.com/v1/events, got "${text}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be http or https, got "${text}"`);
  // The API's base URL (as printed by the console) works too.
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/events';
  return url;
}

/**
 * `--url` (with `--token` or TRIAGE_TOKEN) needs no file; otherwise the stack file gives the URL, and the
 * local stack file the token too. A deployed stack's token never comes from a file: `--token` or TRIAGE_TOKEN.
 */
function destination(values: SendOptions, ctx: CliContext): Destination {
  const target = values.stack || values.outputs || !values.url ? stackTargetFor(values, ctx) : undefined;
  const url = webhookUrl(values.url ?? (target ? requireTarget(target, 'webhookUrl') : ''));
  const env = ctx.env;
  const token =
    values.token || (target?.kind === 'local' ? target.token : undefined) || env.TRIAGE_TOKEN || undefined;
  if (!token) {
    throw new UsageError(
      'no webhook token: pass --token TOKEN or set TRIAGE_TOKEN (create one with `triage token create --app NAME`)',
    );
  }
  return { url: url.href, token, local: target?.kind === 'local' || LOOPBACK.has(url.hostname) };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function post(to: Destination, body: unknown, fetchFn: typeof fetch): Promise<Answer> {
  let response: Response;
  try {
    response = await fetchFn(to.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${to.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    throw new NetworkError(to, error);
  }
}

class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(to: Destination, error: unknown) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : (describeConnectionError(error) ?? e.cause?.message ?? e.message);
    super(
      to.local
        ? `cannot reach ${to.url} (${why}) — is \`npm start\` running?`
        : `cannot reach ${to.url} (${why})`,
      { cause: error },
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function acceptedIds(answer: Answer): string[] {
  const json = parseJson(answer.text) as { ids?: unknown } | undefined;
  return Array.isArray(json?.ids) ? json.ids.map(String) : [];
}

function acceptedCount(answer: Answer): number {
  const accepted = (parseJson(answer.text) as { accepted?: unknown } | undefined)?.accepted;
  return typeof accepted === 'number' ? accepted : acceptedIds(answer).length;
}

function acceptedLine(answer: Answer): string {
  const ids = acceptedIds(answer);
  const shown = ids.slice(0, MAX_LISTED_IDS).join(', ');
  const more =
    ids.length > MAX_LISTED_IDS ? ` … (+${ids.length - MAX_LISTED_IDS} more; --json lists all)` : '';
  return `${answer.status} accepted ${acceptedCount(answer)}${shown ? `: ${shown}${more}` : ''}`;
}

/** The error body's message and per-field details, or the start of whatever else came back. */
function errorLines(answer: Answer): string[] {
  const json = parseJson(answer.text) as
    | { error?: { type?: unknown; message?: unknown; details?: unknown } }
    | undefined;
  const error = json?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details)
      ? (error.details as { path?: unknown; message?: unknown }[])
      : [];
    return [
      `${answer.status} ${typeof error.type === 'string' ? `${error.type}: ` : ''}${error.message}`,
      ...details.map((d) => `  ${String(d.path)}: ${String(d.message)}`),
    ];
  }
  const text = answer.text.trim();
  return [`${answer.status}${text ? ` ${text.slice(0, 500)}` : ' (empty answer)'}`];
}

/** `triage send`: post error events to the webhook of the local or a deployed stack. */
export async function run(values: SendOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  let bodies: unknown[];
  if (values.stdin) {
    const given = values as Record<string, unknown>;
    const flags = [...Object.keys(EVENT_FLAGS), 'count'].filter((flag) => given[flag] !== undefined);
    if (flags.length > 0) {
      throw new UsageError(`--stdin takes the events from stdin; drop ${flags.map(flagName).join(', ')}`);
    }
    bodies = requestsFromStdin(await readAll(io.stdin));
  } else {
    const event = eventFromFlags(values);
    const count = parseCount(values.count);
    bodies = [count === 1 ? event : { events: Array.from({ length: count }, () => event) }];
  }

  const to = destination(values, ctx);
  const fetchFn = ctx.fetch;
  let sent = 0;
  for (const [index, body] of bodies.entries()) {
    let answer: Answer;
    try {
      answer = await post(to, body, fetchFn);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      io.err(`triage send: ${error.message}`);
      if (index > 0)
        io.err(`triage send: ${sent} events were accepted by earlier requests; the rest was not sent`);
      return EXIT.failure;
    }
    const ok = answer.status >= 200 && answer.status < 300;
    if (values.json) io.out(answer.text.trim());
    else if (ok) io.out(acceptedLine(answer));
    else for (const line of errorLines(answer)) io.err(line);
    if (!ok) {
      if (bodies.length > 1) {
        io.err(
          `triage send: request ${index + 1} of ${bodies.length} was refused; ${sent} events were accepted before it, the rest was not sent`,
        );
      }
      return EXIT.failure;
    }
    sent += acceptedCount(answer);
  }
  return EXIT.ok;
}
