import { isHttpStatus } from '../classify';
import { statusFromErrorCode } from './implied-status';
import { emptyLineFields, type LineFields } from './line-extraction';

type Json = Record<string, unknown>;

/** Keys that hold an HTTP status in structured logs (pino, Powertools, winston, structlog, ECS, OTel). */
const STATUS_KEY =
  /^(?:(?:http|upstream|last|backend|api|provider)[._]?)?(?:res(?:ponse)?[._]?)?status(?:[._]?code)?$/i;
/** Objects that describe an error: a status inside them wins over one elsewhere on the line. */
const ERROR_KEY = /^(?:error|err|exception|lasterror|cause|errors)$/i;
const MESSAGE_KEYS = ['message', 'msg', 'errorMessage', 'event', 'detail'];
const APP_KEYS = ['app', 'application', 'service', 'service_name', 'serviceName'];
const ENV_KEYS = ['environment', 'env'];
const ACCOUNT_KEYS = ['account', 'account_id', 'accountId', 'fireworks_account'];
// Not `requestId`: at the top of a Lambda JSON log line that is the invocation's id, not the API's.
const REQUEST_ID_KEYS = ['request_id', 'x-request-id', 'x_request_id', 'xRequestId', 'fireworks_request_id'];
const URL_KEYS = ['url', 'originalUrl', 'endpoint', 'path'];
const MAX_NODES = 200;
const MAX_DEPTH = 4;

/** A status found in a JSON log line, with where it was found. */
export interface JsonStatus {
  readonly status: number;
  /** The URL the record names is a relative path: the app's own access log (`res.statusCode`). */
  readonly serverPath?: string;
}

export interface JsonReading {
  readonly status?: JsonStatus;
  /** A status implied by an error object's symbolic `code`/`type`/`status` (`NOT_FOUND`). */
  readonly impliedStatus?: number;
  readonly fields: LineFields;
  /** Text fields (messages, class names) to read as text when no status field exists. */
  readonly texts: readonly string[];
  /** A CloudWatch embedded-metric record: a metric about an error, not an error (it would count twice). */
  readonly metric: boolean;
}

function toStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return isHttpStatus(n) ? n : undefined;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

function pick(object: Json, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && key !== 'path') return String(value);
  }
  return undefined;
}

function urlOf(object: Json): string | undefined {
  const own = pick(object, URL_KEYS);
  if (own) return own;
  for (const key of ['req', 'request']) {
    const nested = object[key];
    if (nested && typeof nested === 'object') {
      const url = pick(nested as Json, URL_KEYS);
      if (url) return url;
    }
  }
  return undefined;
}

const IS_STATUS_KEY = 1;
const IS_ERROR_KEY = 2;
/*
 * What readJsonLine does with a string under the key (bits 2 and up: the key's role). The key lists
 * are disjoint, so a key has at most one role, and the role is the branch it would take in
 * readJsonLine's chain of key tests (some only at the top level, which readJsonLine still checks).
 */
const ROLE_SHIFT = 2;
const ROLE_MESSAGE = 1;
const ROLE_TEXT = 2;
const ROLE_MODEL = 3;
const ROLE_ACCOUNT = 4;
const ROLE_REQUEST_ID = 5;
/** `requestId`: the API's request id only below the top level. */
const ROLE_NESTED_REQUEST_ID = 6;
const ROLE_METHOD = 7;
const ROLE_APP = 8;
const ROLE_ENVIRONMENT = 9;
const ROLE_ERROR_TEXT = 10;

function roleOf(key: string): number {
  if (MESSAGE_KEYS.includes(key)) return ROLE_MESSAGE;
  if (key === 'name' || key === 'type' || key === 'errorType' || key === 'responseBody') return ROLE_TEXT;
  if (key === 'model' || key === 'model_name' || key === 'modelId') return ROLE_MODEL;
  if (ACCOUNT_KEYS.includes(key)) return ROLE_ACCOUNT;
  if (REQUEST_ID_KEYS.includes(key)) return ROLE_REQUEST_ID;
  if (key === 'requestId') return ROLE_NESTED_REQUEST_ID;
  if (key === 'method') return ROLE_METHOD;
  if (APP_KEYS.includes(key)) return ROLE_APP;
  if (ENV_KEYS.includes(key)) return ROLE_ENVIRONMENT;
  if (key === 'error' || key === 'err') return ROLE_ERROR_TEXT;
  return 0;
}

/** STATUS_KEY, ERROR_KEY and the role per key name, remembered: log records repeat a few hundred key names. */
const keyFlagsSeen = new Map<string, number>();
const MAX_KEYS_SEEN = 4096;

function keyFlags(key: string): number {
  let flags = keyFlagsSeen.get(key);
  if (flags === undefined) {
    flags =
      (STATUS_KEY.test(key) ? IS_STATUS_KEY : 0) |
      (ERROR_KEY.test(key) ? IS_ERROR_KEY : 0) |
      (roleOf(key) << ROLE_SHIFT);
    // Bounded: a stream of made-up key names must not grow the container's memory.
    if (keyFlagsSeen.size < MAX_KEYS_SEEN) keyFlagsSeen.set(key, flags);
  }
  return flags;
}

interface Node {
  readonly value: Json;
  readonly depth: number;
  readonly inError: boolean;
  readonly url: string | undefined;
}

/** No key below `value` (to the depth readJsonLine descends) names an error object; false when unsure. */
function noErrorKeyBelow(value: Json, depth: number, budget: { nodes: number }): boolean {
  if (--budget.nodes < 0) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (keyFlags(key) & IS_ERROR_KEY) return false;
    const item = value[key];
    if (item && typeof item === 'object' && !Array.isArray(item) && depth < MAX_DEPTH) {
      if (!noErrorKeyBelow(item as Json, depth + 1, budget)) return false;
    }
  }
  return true;
}

/**
 * True only when {@link readJsonLine} would find a record that reports no error: an embedded-metric
 * record, or one whose first top-level status is below 400 (it is the status readJsonLine answers
 * unless an error object holds one, and no key anywhere names an error object). Cheaper than reading
 * the record, for the many request logs of successful calls; false whenever unsure.
 */
export function reportsNoError(record: Json): boolean {
  if (record._aws && typeof record._aws === 'object') return true;
  let status: number | undefined;
  const budget = { nodes: MAX_NODES };
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const flags = keyFlags(key);
    if (flags & IS_ERROR_KEY) return false;
    const item = record[key];
    if (status === undefined && flags & IS_STATUS_KEY) {
      status = toStatus(item);
      // An error status: the whole reading is needed anyway.
      if (status !== undefined && status >= 400) return false;
    }
    if (item && typeof item === 'object' && !Array.isArray(item) && !noErrorKeyBelow(item as Json, 1, budget))
      return false;
  }
  return status !== undefined;
}

/** Read one parsed JSON log record: breadth first, bounded, so a huge record costs a bounded walk. */
export function readJsonLine(record: Json): JsonReading {
  const fields = emptyLineFields();
  const texts: string[] = [];
  if (record._aws && typeof record._aws === 'object')
    return { status: undefined, impliedStatus: undefined, fields, texts, metric: true };
  let errorStatus: JsonStatus | undefined;
  let otherStatus: JsonStatus | undefined;
  let impliedStatus: number | undefined;
  let errorMessage: string | undefined;
  let message: string | undefined;
  const rootUrl = urlOf(record);
  const queue: Node[] = [{ value: record, depth: 0, inError: false, url: rootUrl }];
  for (let visited = 0; visited < queue.length && visited < MAX_NODES; visited++) {
    const { value, depth, inError, url } = queue[visited] as Node;
    for (const key of Object.keys(value)) {
      const item = value[key];
      const flags = keyFlags(key);
      if (flags & IS_STATUS_KEY || (inError && key === 'code')) {
        const status = toStatus(item);
        if (status !== undefined) {
          const found: JsonStatus = url?.startsWith('/') ? { status, serverPath: url } : { status };
          if (inError) errorStatus ??= found;
          else otherStatus ??= found;
        } else if (inError && typeof item === 'string') {
          impliedStatus ??= statusFromErrorCode(item);
        }
      } else if (inError && key === 'type' && typeof item === 'string') {
        impliedStatus ??= statusFromErrorCode(item);
      }
      if (typeof item === 'string') {
        switch (flags >> ROLE_SHIFT) {
          case ROLE_MESSAGE:
            if (inError) errorMessage ??= item;
            else message ??= item;
            texts.push(item);
            break;
          case ROLE_TEXT:
            texts.push(item);
            break;
          case ROLE_MODEL:
            fields.model ??= item;
            break;
          case ROLE_ACCOUNT:
            fields.account ??= item;
            break;
          case ROLE_REQUEST_ID:
            fields.requestId ??= item;
            break;
          case ROLE_NESTED_REQUEST_ID:
            if (depth > 0) fields.requestId ??= item;
            break;
          case ROLE_METHOD:
            fields.method ??= item;
            break;
          case ROLE_APP:
            if (depth === 0) fields.app ??= item;
            break;
          case ROLE_ENVIRONMENT:
            if (depth === 0) fields.environment ??= item;
            break;
          case ROLE_ERROR_TEXT:
            errorMessage ??= item;
            texts.push(item);
            break;
        }
      } else if (item && typeof item === 'object' && !Array.isArray(item) && depth < MAX_DEPTH) {
        const child = item as Json;
        queue.push({
          value: child,
          depth: depth + 1,
          inError: inError || (flags & IS_ERROR_KEY) !== 0,
          url: urlOf(child) ?? url,
        });
      }
    }
  }
  let url = str(rootUrl);
  for (let i = 0; url === undefined && i < queue.length; i++) url = (queue[i] as Node).url;
  if (url) fields.endpoint = url;
  const text = errorMessage ?? message;
  if (text) fields.message = text;
  const status = errorStatus ?? otherStatus;
  return { status, impliedStatus, fields, texts, metric: false };
}
