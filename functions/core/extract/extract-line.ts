import { mayHoldSecret, redactText } from '../redact';
import { statusFromErrorCode, statusFromSdkClass } from './implied-status';
import { readJsonLine, reportsNoError } from './json-line';
import type { LineExtraction, LineFields } from './line-extraction';
import {
  embeddedErrorBody,
  errorBodyCodes,
  errorBodyMessage,
  showsFireworks,
  textFields,
} from './text-fields';
import { findTextStatus, isInferencePath } from './text-status';

/**
 * Cheap first look: a line that has neither a bounded 4xx/5xx number nor an error word cannot report
 * an error, and most log lines stop here before any of the costlier patterns run.
 */
const PREFILTER =
  /\b[45]\d\d\b|rror|xception|rate.?limit|not_found|resource_exhausted|unauthenticated|permission_denied|unavailable|deadline_exceeded/i;
/** `2026-11-25T15:00:00.000Z\t<uuid>\tERROR\t`: the Lambda runtime's text prefix. */
const LAMBDA_PREFIX = /^\d{4}-\d\d-\d\dT[\d:.]+Z?\t[\w-]+\t[A-Z]+\t/;
const ABSOLUTE_URL = /^https?:\/\/[^/\s]+(\/[^\s?#]*)?/;
const MODEL_ACCOUNT = /^accounts\/([\w.-]+)\//;
/** Enough of a message for any consumer (events keep 4096 chars); bounds the redaction work. */
const MAX_MESSAGE_SCAN = 8192;

/** The codes of a line without an error body: the same shape as errorBodyCodes' answer. */
const NO_CODES: ReturnType<typeof errorBodyCodes> = {
  type: undefined,
  code: undefined,
  statusName: undefined,
};

function statusFromBody(body: string | undefined): number | undefined {
  if (!body) return undefined;
  const { type, code, statusName } = errorBodyCodes(body);
  for (const name of [statusName, code, type]) {
    const status = name === undefined ? undefined : statusFromErrorCode(name);
    if (status !== undefined) return status;
  }
  return undefined;
}

function parseRecord(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Not a character that String.prototype.trim removes (those are all outside `!`..`~`). */
const isPrintableAscii = (code: number): boolean => code > 32 && code < 127;

/** The JSON record of a line: the whole line, or the JSON after a Lambda runtime text prefix. */
export function jsonRecordOf(line: string): Record<string, unknown> | undefined {
  // Most lines start and end with a printable character: trimming would return the line itself.
  const trimmed =
    isPrintableAscii(line.charCodeAt(0)) && isPrintableAscii(line.charCodeAt(line.length - 1))
      ? line
      : line.trim();
  if (trimmed.startsWith('{')) return parseRecord(trimmed);
  if (!trimmed.endsWith('}')) return undefined;
  const start = line.indexOf('\t{');
  return start === -1 ? undefined : parseRecord(line.slice(start + 1));
}

/**
 * May a field of this text line need redaction? False only when the line fails the secret screen and
 * has no backslash: every field is then a substring of the line (the error body message unescapes
 * nothing), so every field passes the screen too and redaction returns it unchanged. Used for text
 * lines, whose message is most of the line anyway; a JSON line's fields are far shorter than the line,
 * and screening each of them was measured cheaper than one scan of the whole line.
 */
const mayNeedRedaction = (line: string): boolean => line.includes('\\') || mayHoldSecret(line);

function clean(value: string | undefined, max: number, redact: boolean): string | undefined {
  if (value === undefined) return undefined;
  const cut = value.length > max ? value.slice(0, max) : value;
  const out = (redact ? redactText(cut) : cut).trim();
  return out.length > 0 ? out : undefined;
}

/** The part before the first `?` or `#` (what `split(/[?#]/)[0]` gives). */
function withoutQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  const hash = url.indexOf('#');
  const end = query === -1 ? hash : hash === -1 ? query : Math.min(query, hash);
  return end === -1 ? url : url.slice(0, end);
}

function finish(status: number, fireworks: boolean, fields: LineFields, redact: boolean): LineExtraction {
  // ABSOLUTE_URL needs the `http` it starts with.
  const endpoint = fields.endpoint?.startsWith('http') && ABSOLUTE_URL.exec(fields.endpoint);
  const method = fields.method?.toUpperCase();
  const path = clean(endpoint ? (endpoint[1] ?? '/') : withoutQuery(fields.endpoint), 512, redact);
  // One literal with every key (absent ones undefined, which JSON leaves out and toTriageEvent skips):
  // its shape belongs to the literal, so no full GC can collect it and drop the code that builds it,
  // as it could the shapes made by adding only the defined keys to `{}`.
  return {
    status,
    provider: fireworks ? 'fireworks' : 'unknown',
    message: clean(fields.message, MAX_MESSAGE_SCAN, redact),
    requestId: clean(fields.requestId, 256, redact),
    model: clean(fields.model, 256, redact),
    account: clean(fields.account, 128, redact),
    endpoint: path,
    method: method && /^[A-Z]{3,7}$/.test(method) ? method : undefined,
    errorType: clean(fields.errorType, 256, redact),
    errorCode: clean(fields.errorCode, 256, redact),
    app: clean(fields.app, 128, redact),
    environment: clean(fields.environment, 64, redact),
  };
}

/**
 * Every field key, always in this order (absent ones undefined): one object shape, so that
 * {@link finish} reads its fields monomorphically (it reads by name; key order is not observable).
 */
function fieldsOf(
  message: string | undefined,
  requestId: string | undefined,
  model: string | undefined,
  account: string | undefined,
  endpoint: string | undefined,
  method: string | undefined,
  errorType: string | undefined,
  errorCode: string | undefined,
  app: string | undefined,
  environment: string | undefined,
): LineFields {
  return { message, requestId, model, account, endpoint, method, errorType, errorCode, app, environment };
}

/*
 * Whether the line being read shows Fireworks, worked out once and only when something needs it: most
 * lines that pass the prefilter report no error, and never do. Module state rather than an object per
 * line (extraction is synchronous and never re-entered): no per-line allocation, and no object shape
 * whose death in a full GC would throw away the optimized code that reads it.
 */
let currentLine = '';
let currentShows: boolean | undefined;

function lineShowsFireworks(): boolean {
  currentShows ??= showsFireworks(currentLine);
  return currentShows;
}

/**
 * What {@link extractFireworksOnly} answers for a line that reports an error but does not show
 * Fireworks. Compare by identity; its fields mean nothing.
 */
export const NON_FIREWORKS_ERROR: LineExtraction = Object.freeze({ status: 0, provider: 'unknown' });

function fromText(line: string, fireworksOnly: boolean): LineExtraction | undefined {
  const found = findTextStatus(line);
  const body = embeddedErrorBody(line);
  let status: number | undefined;
  if (found) {
    if (found.serverLog && !isInferencePath(found.path) && !lineShowsFireworks()) return undefined;
    status = found.status;
  } else {
    status = statusFromBody(body) ?? statusFromSdkClass(line, lineShowsFireworks);
  }
  if (status === undefined || status < 400) return undefined;
  if (fireworksOnly && !lineShowsFireworks()) return NON_FIREWORKS_ERROR;
  const codes = body ? errorBodyCodes(body) : NO_CODES;
  const text = textFields(line);
  const fields = fieldsOf(
    (body && errorBodyMessage(body)) ?? line.replace(LAMBDA_PREFIX, ''),
    text.requestId,
    text.model,
    text.account,
    text.endpoint,
    text.method,
    codes.type,
    codes.code ?? codes.statusName,
    undefined,
    undefined,
  );
  return finish(status, lineShowsFireworks(), fields, mayNeedRedaction(line));
}

function fromJson(record: Record<string, unknown>, line: string, fireworksOnly: boolean) {
  if (reportsNoError(record)) return undefined;
  const reading = readJsonLine(record);
  if (reading.metric) return undefined;
  let texts: string | undefined;
  let status: number | undefined;
  if (reading.status) {
    const { serverPath } = reading.status;
    if (serverPath !== undefined && !isInferencePath(serverPath) && !lineShowsFireworks()) return undefined;
    status = reading.status.status;
  } else {
    // No status field: the messages may still carry an SDK's exception text.
    texts ??= reading.texts.join('\n');
    const found = findTextStatus(texts);
    status =
      (found && !found.serverLog ? found.status : undefined) ??
      reading.impliedStatus ??
      statusFromBody(embeddedErrorBody(line)) ??
      statusFromSdkClass(texts, lineShowsFireworks);
  }
  if (status === undefined || status < 400) return undefined;
  if (fireworksOnly && !lineShowsFireworks()) return NON_FIREWORKS_ERROR;
  const body = embeddedErrorBody(line);
  const codes = body ? errorBodyCodes(body) : NO_CODES;
  const fromText = textFields(texts ?? reading.texts.join('\n'));
  const own = reading.fields;
  const fields = fieldsOf(
    own.message ?? (body && errorBodyMessage(body)),
    own.requestId ?? fromText.requestId,
    own.model ?? fromText.model,
    own.account ?? fromText.account,
    own.endpoint ?? fromText.endpoint,
    own.method ?? fromText.method,
    codes.type,
    codes.code ?? codes.statusName,
    own.app,
    own.environment,
  );
  if (!fields.account && fields.model?.startsWith('accounts/')) {
    const account = MODEL_ACCOUNT.exec(fields.model)?.[1];
    if (account && account !== 'fireworks') fields.account = account;
  }
  return finish(status, lineShowsFireworks(), fields, true);
}

/**
 * Does this log line report an HTTP error (4xx/5xx) from an inference API? If so: its status, the
 * provider (`fireworks` when the line shows it) and whatever else the line gives, redacted.
 */
export function extractFromLine(line: string): LineExtraction | undefined {
  return extract(line, false);
}

/**
 * {@link extractFromLine} for a caller that keeps only the errors of lines that show Fireworks: the
 * same answer for those lines and for lines without an error, {@link NON_FIREWORKS_ERROR} for the
 * other error lines, whose fields it then never gathers, redacts or builds (~1 µs a line).
 */
export function extractFireworksOnly(line: string): LineExtraction | undefined {
  return extract(line, true);
}

/**
 * The first look every line gets: false means it cannot report an error and is read no further.
 * Exported with {@link jsonRecordOf} for the benchmark's floor of this design (what any reading of a
 * payload costs before a field is read: docs/benchmarks.md).
 */
export function passesFirstLook(line: string): boolean {
  return line.length >= 3 && PREFILTER.test(line);
}

function extract(line: string, fireworksOnly: boolean): LineExtraction | undefined {
  if (!passesFirstLook(line)) return undefined;
  currentLine = line;
  currentShows = undefined;
  const record = jsonRecordOf(line);
  return record ? fromJson(record, line, fireworksOnly) : fromText(line, fireworksOnly);
}
