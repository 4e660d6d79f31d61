import { isHttpStatus } from '../classify';
import { statusFromErrorCode } from './implied-status';
import type { LineFields } from './line-extraction';

type Json = Record<string, unknown>;

/**
 * Keys that hold an HTTP status in structured logs (pino, Powertools, winston, structlog, zap, ECS, OTel,
 * envoy): `status`, `statusCode`, `status_code`, `http.status_code`, `res.statusCode`, `response_code`,
 * `upstream_status`, `raw_status_code`.
 */
const STATUS_KEY =
  /^(?:(?:http|upstream|last|backend|api|provider|raw)[._]?)?(?:res(?:ponse)?[._]?)?(?:status(?:[._]?code)?|code)$/i;
/** Plain `code` is a status only inside an error object (elsewhere it is often an app's own code). */
const BARE_CODE = /^code$/i;
/** Objects that describe an error: a status inside them wins over one elsewhere on the line. */
const ERROR_KEY = /^(?:error|err|exception|lasterror|cause|errors|errorDetail)$/i;
type Role =
  | 'message'
  | 'text'
  | 'model'
  | 'account'
  | 'requestId'
  | 'method'
  | 'endpoint'
  | 'app'
  | 'environment';

/** What a string under each key is, for the keys that matter (others are skipped). */
const ROLE_BY_KEY: ReadonlyMap<string, Role> = new Map<string, Role>([
  ...['message', 'msg', 'errorMessage', 'event', 'detail', 'error_message'].map(
    (k) => [k, 'message'] as const,
  ),
  ...['name', 'type', 'errorType', 'responseBody', 'body', 'responseCodeDetails', 'response_flags'].map(
    (k) => [k, 'text'] as const,
  ),
  ...['model', 'model_name', 'modelId'].map((k) => [k, 'model'] as const),
  ...['account', 'account_id', 'accountId', 'fireworks_account'].map((k) => [k, 'account'] as const),
  // Not `requestId` at the top: in a Lambda JSON log line that is the invocation's id, not the API's.
  ...['request_id', 'x-request-id', 'x_request_id', 'xRequestId', 'fireworks_request_id'].map(
    (k) => [k, 'requestId'] as const,
  ),
  ...['method', 'requestMethod'].map((k) => [k, 'method'] as const),
  ...['url', 'originalUrl', 'endpoint', 'path', 'requestPath', 'uri'].map((k) => [k, 'endpoint'] as const),
  ...['app', 'application', 'service', 'service_name', 'serviceName'].map((k) => [k, 'app'] as const),
  ...['environment', 'env'].map((k) => [k, 'environment'] as const),
]);

/** Every STATUS_KEY contains one of these: other keys skip the pattern. */
const MAY_BE_STATUS_KEY = /tatus|ode/i;

/** A huge record costs a bounded walk. */
const MAX_NODES = 200;
const MAX_DEPTH = 4;

/** A status found in a JSON log line, with where it was found. */
export interface JsonStatus {
  readonly status: number;
  /** The key it was found under, for `triage extract --explain`. */
  readonly key: string;
}

export interface JsonReading {
  readonly status?: JsonStatus;
  /** A status implied by an error object's symbolic `code`/`type`/`status` (`NOT_FOUND`). */
  readonly impliedStatus?: JsonStatus;
  readonly fields: LineFields;
  /** Text values (messages, class names, bodies) to read as text when no status field exists. */
  readonly texts: readonly string[];
  /** A CloudWatch embedded-metric record: a metric about an error, not an error (it would count twice). */
  readonly metric: boolean;
}

function toStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return isHttpStatus(n) ? n : undefined;
}

/** Read one parsed JSON log record: breadth first, bounded. */
export function readJsonLine(record: Json): JsonReading {
  const fields: LineFields = {};
  const texts: string[] = [];
  if (record._aws && typeof record._aws === 'object') return { fields, texts, metric: true };
  let errorStatus: JsonStatus | undefined;
  let otherStatus: JsonStatus | undefined;
  let impliedStatus: JsonStatus | undefined;
  let errorMessage: string | undefined;
  let message: string | undefined;
  const queue: { value: Json; depth: number; inError: boolean }[] = [
    { value: record, depth: 0, inError: false },
  ];
  for (let visited = 0; visited < queue.length && visited < MAX_NODES; visited++) {
    const { value, depth, inError } = queue[visited] as (typeof queue)[number];
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = value[key];
      if (MAY_BE_STATUS_KEY.test(key) && STATUS_KEY.test(key) && (inError || !BARE_CODE.test(key))) {
        const status = toStatus(item);
        if (status !== undefined) {
          if (inError) errorStatus ??= { status, key };
          else otherStatus ??= { status, key };
        } else if (typeof item === 'string') {
          const implied = statusFromErrorCode(item);
          if (implied !== undefined && (inError || depth === 0)) impliedStatus ??= { status: implied, key };
        }
      } else if (inError && key === 'type' && typeof item === 'string') {
        const implied = statusFromErrorCode(item);
        if (implied !== undefined) impliedStatus ??= { status: implied, key };
      }
      if (typeof item === 'string') {
        const role =
          key === 'error' || key === 'err' ? (depth <= 1 ? 'error' : undefined) : ROLE_BY_KEY.get(key);
        switch (role) {
          case 'error':
            errorMessage ??= item;
            texts.push(item);
            break;
          case 'message':
            if (inError) errorMessage ??= item;
            else message ??= item;
            texts.push(item);
            break;
          case 'text':
            texts.push(item);
            break;
          case 'requestId':
            fields.requestId ??= item;
            break;
          case 'app':
          case 'environment':
            if (depth === 0) fields[role] ??= item;
            break;
          case 'model':
          case 'account':
          case 'method':
          case 'endpoint':
            fields[role] ??= item;
            break;
          case undefined:
            if (key === 'requestId' && depth > 0) fields.requestId ??= item;
            break;
        }
      } else if (item && typeof item === 'object' && !Array.isArray(item) && depth < MAX_DEPTH) {
        queue.push({ value: item as Json, depth: depth + 1, inError: inError || ERROR_KEY.test(key) });
      }
    }
  }
  const text = errorMessage ?? message;
  if (text !== undefined) fields.message = text;
  const status = errorStatus ?? otherStatus;
  return {
    ...(status ? { status } : {}),
    ...(impliedStatus ? { impliedStatus } : {}),
    fields,
    texts,
    metric: false,
  };
}
