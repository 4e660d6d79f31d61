import type { LineFields } from './line-extraction';

const MODEL_PATH =
  /\baccounts\/([\w.-]+)\/(?:models|deployedModels)\/[\w.@:+-]+(?:#accounts\/[\w.-]+\/deployments\/[\w-]+)?/;
const MODEL_FIELD =
  /\\?["']model\\?["']\s*:\s*\\?["']([\w./:@#+-]{1,256})\\?["']|\bmodel=["']?([\w./:@#+-]{1,256})/;
const URL =
  /\b(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?["']?https?:\/\/[\w.-]+(?::\d+)?(\/[^\s"'?#)\]},\\]*)/;
const PATH_WITH_METHOD = /\b(GET|POST|PUT|PATCH|DELETE)\s+(\/[^\s"'?#)\]},\\]*)/;
const URL_ACCOUNT = /\/accounts\/([\w.-]+)\//;
const REQUEST_ID =
  /\b(?:x-request-id|x_request_id|request[_-]?id|requestId|fireworks-request-id)\\?["']?\s*[:=]\s*\\?["']?([\w.:-]{6,128})/i;
/** Every REQUEST_ID alternative contains it. */
const REQUEST_WORD = /request/i;
// Error bodies printed by SDKs are JSON or a Python dict repr, so both quote styles (and JSON-in-JSON escapes).
const BODY_START = /\\?["']error\\?["']\s*:\s*\{/;
const BODY_MESSAGE =
  /\\?["'](?:message|detail)\\?["']\s*:\s*(?:\\?"((?:[^"\\]|\\[^"])*)\\?"|'((?:[^'\\]|\\.)*)')/;
const BODY_TYPE = /\\?["']type\\?["']\s*:\s*\\?["']([\w.-]{1,128})\\?["']/;
const BODY_CODE = /\\?["']code\\?["']\s*:\s*\\?["']([\w.-]{1,128})\\?["']/;
const BODY_STATUS_NAME = /\\?["']status\\?["']\s*:\s*\\?["']([A-Z][A-Z_]{2,40})\\?["']/;

/** The error body embedded in a line (`"error": {…}`), from its start; undefined when there is none. */
export function embeddedErrorBody(text: string): string | undefined {
  // BODY_START needs the word: most lines do not have it, and skip the scan.
  const match = text.includes('error') ? BODY_START.exec(text) : null;
  return match ? text.slice(match.index, match.index + 4096) : undefined;
}

/** `type`, `code` and symbolic `status` of an embedded error body, in that order of preference for a status. */
export function errorBodyCodes(body: string): { type?: string; code?: string; statusName?: string } {
  // Each pattern needs its key's name: skip the scans a body cannot match.
  return {
    type: body.includes('type') ? BODY_TYPE.exec(body)?.[1] : undefined,
    code: body.includes('code') ? BODY_CODE.exec(body)?.[1] : undefined,
    statusName: body.includes('status') ? BODY_STATUS_NAME.exec(body)?.[1] : undefined,
  };
}

export function errorBodyMessage(body: string): string | undefined {
  const match = BODY_MESSAGE.exec(body);
  const value = match?.[1] ?? match?.[2];
  return value ? value.replace(/\\(["'\\])/g, '$1') : undefined;
}

/** Model, account, endpoint, method and request id as far as the text shows them. */
export function textFields(text: string): LineFields {
  const fields: LineFields = {};
  // Each scan is skipped when the text lacks a literal its pattern needs.
  const modelPath = text.includes('accounts/') ? MODEL_PATH.exec(text) : null;
  if (modelPath) {
    fields.model = modelPath[0];
    // `accounts/fireworks/…` is the public catalogue, not the caller's account.
    if (modelPath[1] !== 'fireworks') fields.account = modelPath[1];
  } else {
    const model = text.includes('model') ? MODEL_FIELD.exec(text) : null;
    const value = model?.[1] ?? model?.[2];
    if (value) fields.model = value;
  }
  const url = text.includes('://') ? URL.exec(text) : null;
  if (url) {
    fields.endpoint = url[2];
    if (url[1]) fields.method = url[1];
  } else {
    const path = PATH_WITH_METHOD.exec(text);
    if (path) {
      fields.method = path[1];
      fields.endpoint = path[2];
    }
  }
  if (!fields.account && fields.endpoint) {
    const account = URL_ACCOUNT.exec(fields.endpoint)?.[1];
    if (account && account !== 'fireworks') fields.account = account;
  }
  const requestId = REQUEST_WORD.test(text) ? REQUEST_ID.exec(text)?.[1] : undefined;
  if (requestId) fields.requestId = requestId;
  return fields;
}
