/**
 * Statuses implied by an error body's code/type or by an SDK exception class when the line carries
 * no number. Only names that map to exactly one status are listed: `invalid_request_error` (Fireworks
 * sends it with 400, 404 and 429) or `server_error` are deliberately absent.
 */

// Null prototype: a code such as `constructor` or `__proto__` must not find Object.prototype's members.
const BODY_CODES: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  invalid_argument: 400,
  context_length_exceeded: 400,
  unauthenticated: 401,
  authentication_error: 401,
  invalid_api_key: 401,
  unauthorized: 401,
  payment_required: 402,
  permission_denied: 403,
  permission_error: 403,
  forbidden: 403,
  not_found: 404,
  not_found_error: 404,
  model_not_found: 404,
  deployment_not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  account_suspended: 412,
  payload_too_large: 413,
  request_too_large: 413,
  rate_limit_exceeded: 429,
  rate_limit_error: 429,
  rate_limited: 429,
  resource_exhausted: 429,
  too_many_requests: 429,
  internal: 500,
  internal_error: 500,
  internal_server_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  service_unavailable: 503,
  deadline_exceeded: 504,
  gateway_timeout: 504,
});

/** Status implied by an error body's `code`, `type` or string `status` (`NOT_FOUND`, `rate_limit_error`). */
export function statusFromErrorCode(code: string): number | undefined {
  // Codes are mostly written in lower case already: found as given, lower-casing would find it too.
  return BODY_CODES[code] ?? BODY_CODES[code.toLowerCase()];
}

/**
 * Exception classes of the OpenAI-compatible SDKs (OpenAI, Fireworks, LiteLLM, Anthropic…) and the
 * status each stands for. Some names also exist in unrelated code (`NotFoundError` of an ORM,
 * Python's builtin `PermissionError`): those count only with an SDK module prefix (`openai.`,
 * `litellm.`…) or on a Fireworks line; `Timeout` only with the prefix (a bare timeout is no HTTP answer).
 */
type Needs = 'nothing' | 'prefix-or-fireworks' | 'prefix';

export const SDK_CLASSES: Readonly<Record<string, readonly [status: number, needs: Needs]>> = {
  RateLimitError: [429, 'nothing'],
  PermissionDeniedError: [403, 'nothing'],
  ServiceUnavailableError: [503, 'nothing'],
  BadGatewayError: [502, 'nothing'],
  GatewayTimeoutError: [504, 'nothing'],
  InternalServerError: [500, 'nothing'],
  ContextWindowExceededError: [400, 'nothing'],
  ContentPolicyViolationError: [400, 'nothing'],
  UnprocessableEntityError: [422, 'nothing'],
  AuthenticationError: [401, 'prefix-or-fireworks'],
  PermissionError: [403, 'prefix-or-fireworks'],
  NotFoundError: [404, 'prefix-or-fireworks'],
  BadRequestError: [400, 'prefix-or-fireworks'],
  InvalidRequestError: [400, 'prefix-or-fireworks'],
  ConflictError: [409, 'prefix-or-fireworks'],
  Timeout: [408, 'prefix'],
};

const SDK_CLASS =
  /\b((?:openai|litellm|fireworks|anthropic|groq|together|mistralai|langchain\w*|llama_index\w*)(?:\.\w+)*\.)?(RateLimitError|PermissionDeniedError|ServiceUnavailableError|BadGatewayError|GatewayTimeoutError|InternalServerError|ContextWindowExceededError|ContentPolicyViolationError|UnprocessableEntityError|AuthenticationError|PermissionError|NotFoundError|BadRequestError|InvalidRequestError|ConflictError|Timeout)\b/g;

/**
 * Status implied by the first qualifying SDK exception class named in `text`. `fireworks` (does the line
 * show Fireworks) may be a function: it is then asked only if a class needs it.
 */
export function statusFromSdkClass(text: string, fireworks: boolean | (() => boolean)): number | undefined {
  // Every class name above contains one of these: most lines name none, and skip the scan for them.
  if (!text.includes('Error') && !text.includes('Timeout')) return undefined;
  for (const match of text.matchAll(SDK_CLASS)) {
    const known = SDK_CLASSES[match[2] as string];
    if (!known) continue;
    const [status, needs] = known;
    const prefixed = match[1] !== undefined;
    if (
      needs === 'nothing' ||
      prefixed ||
      (needs === 'prefix-or-fireworks' && (typeof fireworks === 'function' ? fireworks() : fireworks))
    )
      return status;
  }
  return undefined;
}
