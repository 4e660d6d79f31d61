import { redactText } from '../redact';
import { attribute } from './attribution';
import { impliedStatus, mayImply, statusFromErrorCode } from './implied-status';
import { readJsonLine } from './json-line';
import type { LineExtraction, LineFields } from './line-extraction';
import { statusInText } from './status-in-text';
import { embeddedErrorBody, errorBodyCodes, errorBodyMessage, textFields } from './text-fields';

/**
 * One log line → the error it reports, if any: the HTTP status (shown as a number, or implied by an
 * exception class, an error code or a server's words), whose error it is (attribution.ts), and what
 * else the line gives (message, model, account, endpoint, request id …), redacted. docs/design.md
 * ("Log extraction") explains the approach and how it is measured on real lines.
 */

/**
 * The first look every text line gets: a line with no bounded 4xx/5xx number, no error or exception word
 * and none of the words an implied status needs (implied-status.ts `mayImply`) cannot report an error,
 * and most log lines are read no further.
 */
const NUMBER_OR_ERROR_WORD = /\b[45]\d\d\b|rror|RROR|xception|XCEPTION/;

/** `2026-11-25T15:00:00.000Z\t<uuid>\tERROR\t`: the Lambda runtime's text prefix. */
const LAMBDA_PREFIX = /^\d{4}-\d\d-\d\dT[\d:.]+Z?\t[\w-]+\t[A-Z]+\t/;
const MODEL_ACCOUNT = /^accounts\/([\w.-]+)\//;
/** Longest line read: events keep 4096 characters of message; a longer line is an error dump. */
const MAX_LINE = 16 * 1024;
const LIMITS = { message: 4096, field: 256, endpoint: 512, account: 128 } as const;

/** Could the line hold a JSON record? Not when it starts and ends with printable characters other than braces. */
function mayBeJson(line: string): boolean {
  const first = line.charCodeAt(0);
  const last = line.charCodeAt(line.length - 1);
  return first === 123 || last === 125 || first <= 32 || last <= 32 || first >= 127 || last >= 127;
}

/** The JSON record of a line: the whole line, or the JSON after a Lambda runtime text prefix. */
export function jsonRecordOf(line: string): Record<string, unknown> | undefined {
  // Most lines are neither JSON nor wrapped in spaces: no trimmed copy for them.
  if (!mayBeJson(line)) return undefined;
  const trimmed = line.trim();
  let json: string | undefined;
  if (trimmed.startsWith('{')) json = trimmed;
  else if (trimmed.endsWith('}')) {
    const at = trimmed.indexOf('\t{');
    if (at >= 0) json = trimmed.slice(at + 1);
  }
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

interface Found {
  readonly status: number;
  readonly evidence: string;
}

/** The status of a text: the number it shows, else the one it implies. */
function statusOfText(text: string): Found | undefined {
  const shown = statusInText(text);
  if (shown) return { status: shown.status, evidence: `${shown.status} (${shown.evidence})` };
  const implied = impliedStatus(text);
  return implied && { status: implied.status, evidence: `implied ${implied.status} by ${implied.evidence}` };
}

/** Status and fields of a JSON log record. */
function readRecord(record: Record<string, unknown>): { found?: Found; fields: LineFields } {
  const reading = readJsonLine(record);
  if (reading.metric) return { fields: {} };
  if (reading.status) {
    const { status, key } = reading.status;
    return { found: { status, evidence: `${status} (JSON field "${key}")` }, fields: reading.fields };
  }
  const fromTexts = statusOfText(reading.texts.join('\n'));
  const found =
    fromTexts ??
    (reading.impliedStatus && {
      status: reading.impliedStatus.status,
      evidence: `implied ${reading.impliedStatus.status} by JSON field "${reading.impliedStatus.key}"`,
    });
  return { ...(found ? { found } : {}), fields: reading.fields };
}

/** Status and fields of a text line, with an error body it may embed (`{'error': {...}}`). */
function readText(text: string): { found?: Found; fields: LineFields } {
  const body = embeddedErrorBody(text);
  const codes = body === undefined ? undefined : errorBodyCodes(body);
  let found = statusOfText(text);
  if (!found && codes) {
    for (const name of [codes.statusName, codes.code, codes.type]) {
      const status = name === undefined ? undefined : statusFromErrorCode(name);
      if (status !== undefined) {
        found = { status, evidence: `implied ${status} by the error body's code ${name}` };
        break;
      }
    }
  }
  const fields = textFields(text);
  if (body !== undefined && codes) {
    fields.message = errorBodyMessage(body);
    fields.errorType = codes.type;
    fields.errorCode = codes.code ?? codes.statusName;
  }
  fields.message ??= text;
  return { ...(found ? { found } : {}), fields };
}

/** An endpoint as a path: the path of a URL, without its query or fragment. */
function endpointOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const path = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '');
  return path === '' ? undefined : path;
}

function cut(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const redacted = redactText(value).trim();
  if (redacted === '') return undefined;
  return redacted.length > max ? redacted.slice(0, max) : redacted;
}

/**
 * Does this log line report an HTTP error (4xx/5xx) of an API call? If so: its status, whose error it is
 * and whatever else the line gives, redacted; `evidence` says why.
 */
export function extractFromLine(rawLine: string): LineExtraction | undefined {
  const line = rawLine.length > MAX_LINE ? rawLine.slice(0, MAX_LINE) : rawLine;
  // A JSON record is read by its keys; a first look over its text would cost more than parsing it.
  const record = jsonRecordOf(line);
  if (!record && !NUMBER_OR_ERROR_WORD.test(line) && !mayImply(line)) return undefined;
  const { found, fields } = record ? readRecord(record) : readText(line.replace(LAMBDA_PREFIX, ''));
  if (!found || found.status < 400) return undefined;
  const endpoint = endpointOf(fields.endpoint);
  const attribution = attribute(line, endpoint);
  const model = cut(fields.model, LIMITS.field);
  let account = cut(fields.account, LIMITS.account);
  if (account === undefined && model !== undefined) {
    const owner = MODEL_ACCOUNT.exec(model)?.[1];
    // `accounts/fireworks/…` is the public catalogue, not the caller's account.
    if (owner && owner !== 'fireworks') account = owner;
  }
  // Absent fields stay undefined (JSON output and the event builder leave them out).
  return {
    status: found.status,
    provider: attribution.provider,
    llm: attribution.llm,
    evidence: { status: found.evidence, provider: attribution.evidence },
    message: cut(fields.message, LIMITS.message),
    requestId: cut(fields.requestId, LIMITS.field),
    model,
    account,
    endpoint: cut(endpoint, LIMITS.endpoint),
    method: fields.method && /^[A-Za-z]{1,16}$/.test(fields.method) ? fields.method.toUpperCase() : undefined,
    errorType: cut(fields.errorType, LIMITS.field),
    errorCode: cut(fields.errorCode, LIMITS.field),
    app: cut(fields.app, LIMITS.account),
    environment: cut(fields.environment, 64),
  };
}
