/**
 * Statuses a line implies without the number: an SDK exception class, an error body's code, a server's
 * or CDN's own words for the failure, a reason phrase. Only names that stand for exactly one status are
 * listed: `invalid_request_error` (sent with 400, 404 and 429) or `APIError` are deliberately absent.
 */

export interface ImpliedStatus {
  readonly status: number;
  /** What implied it, for `triage extract --explain`. */
  readonly evidence: string;
}

// Null prototype: a code such as `constructor` or `__proto__` must not find Object.prototype's members.
const ERROR_CODES: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  invalid_argument: 400,
  context_length_exceeded: 400,
  unauthenticated: 401,
  authentication_error: 401,
  invalid_api_key: 401,
  unauthorized: 401,
  payment_required: 402,
  insufficient_credits: 402,
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
  failed_precondition: 412,
  precondition_failed: 412,
  payload_too_large: 413,
  request_too_large: 413,
  rate_limit_exceeded: 429,
  rate_limit_error: 429,
  rate_limited: 429,
  resource_exhausted: 429,
  resourceexhausted: 429,
  too_many_requests: 429,
  toomanyrequests: 429,
  insufficient_quota: 429,
  internal: 500,
  internal_error: 500,
  internal_server_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  service_unavailable: 503,
  deadline_exceeded: 504,
  gateway_timeout: 504,
  function_invocation_timeout: 504,
  edge_function_invocation_timeout: 504,
  function_invocation_failed: 500,
  no_response_from_function: 502,
  overloaded_error: 529,
});

/** The status an error body's `code`, `type` or symbolic `status` stands for (`NOT_FOUND`, `rate_limit_error`). */
export function statusFromErrorCode(code: string): number | undefined {
  return ERROR_CODES[code.toLowerCase()];
}

/** Exception classes of LLM SDKs and HTTP clients, by the status each stands for. */
const CLASSES: readonly (readonly [status: number, name: RegExp])[] = [
  [429, /RateLimit(?:Error|Exception|Exceeded)\b|TooManyRequests(?:Error|Exception)?\b/],
  [529, /Overloaded(?:Error|Exception)\b/],
  [503, /ServiceUnavailable(?:Error|Exception)?\b/],
  [502, /BadGateway(?:Error|Exception)\b/],
  [504, /GatewayTimeout(?:Error|Exception)\b/],
  [500, /InternalServer(?:Error|Exception)\b/],
  [
    401,
    /\b(?:openai|litellm|anthropic|fireworks|groq|mistralai|together|cohere)\.(?:\w+\.)*AuthenticationError\b|Unauthorized(?:Error|Exception)\b/,
  ],
  [403, /PermissionDenied(?:Error|Exception)\b/],
  [
    404,
    /\b(?:openai|litellm|anthropic|fireworks|groq|mistralai|together|cohere)\.(?:\w+\.)*NotFoundError\b|ModelNotFound(?:Error|Exception)\b/,
  ],
  [
    400,
    /\b(?:openai|litellm|anthropic|fireworks|groq|mistralai|together|cohere)\.(?:\w+\.)*BadRequestError\b|ContextWindowExceededError\b/,
  ],
  [422, /UnprocessableEntity(?:Error|Exception)\b/],
  // AWS SDK (Bedrock, SageMaker): the exceptions whose status is fixed.
  [429, /\bThrottlingException\b/],
  [403, /\bAccessDeniedException\b/],
  [404, /\bResourceNotFoundException\b/],
  [504, /\bDeadlineExceeded(?:Error|Exception)?\b/],
  [401, /\bUnauthenticated(?:Error|Exception)?\b/],
  // HTTP status names as enums and nested classes: .NET `HttpStatusCode.BadGateway`, Spring
  // `HttpServerErrorException$GatewayTimeout`, Faraday's `Faraday::ForbiddenError`.
  [400, /(?:[.$]|::)BadRequest(?:Error|Exception)?\b/],
  [403, /(?:[.$]|::)Forbidden(?:Error|Exception)?\b|\bForbidden(?:Error|Exception)\b/],
  [404, /(?:[.$]|::)NotFound\b|\bResourceNotFound\b/],
  [402, /\bPaymentRequired(?:Error|Exception)?\b/],
  [502, /\bBadGateway\b/],
  [504, /\bGatewayTimeout\b/],
];

/** A server's, proxy's or CDN's own words for a failure whose status is fixed. */
const SERVER_WORDS: readonly (readonly [status: number, words: RegExp])[] = [
  [504, /\bupstream timed out\b/],
  [
    502,
    /\bupstream prematurely closed connection\b|\bconnect\(\) failed \(111: Connection refused\) while connecting to upstream\b|\bno live upstreams\b|Malformed Lambda proxy response/,
  ],
  [503, /\bupstream connect error or disconnect\/reset before headers\b|\bno healthy upstream\b/],
  [413, /\bclient intended to send too large body\b/],
  [504, /\b(?:EDGE_)?FUNCTION_INVOCATION_TIMEOUT\b/],
  [
    502,
    /\bfailed \(\d+: [^)]*\) while (?:connecting to|reading response header from) upstream\b|\bupstream sent too big header\b|\bNO_RESPONSE_FROM_FUNCTION\b/,
  ],
  [500, /\bFUNCTION_INVOCATION_FAILED\b/],
  // Heroku's router: H10 app crashed, H12 request timeout, H13/H18 connection closed… (all 503).
  [503, /\bat=error code=H1[0-9]\b/],
];

/** gRPC status codes as Go and Python clients print them: `rpc error: code = ResourceExhausted desc = …`. */
const GRPC_CODE =
  /\bcode\s*=\s*(ResourceExhausted|Unavailable|DeadlineExceeded|PermissionDenied|Unauthenticated|NotFound|Internal)\b/;
const GRPC_STATUS: Readonly<Record<string, number>> = {
  ResourceExhausted: 429,
  Unavailable: 503,
  DeadlineExceeded: 504,
  PermissionDenied: 403,
  Unauthenticated: 401,
  NotFound: 404,
  Internal: 500,
};

/** Error codes as they appear in text: `'type': 'rate_limit_error'`, `"status": "RESOURCE_EXHAUSTED"`, `toomanyrequests:`. */
const CODE_IN_TEXT =
  /\b(rate_limit_(?:error|exceeded)|rate_limited|overloaded_error|insufficient_quota|resource_exhausted|RESOURCE_EXHAUSTED|ResourceExhausted|model_not_found|not_found_error|authentication_error|permission_error|permission_denied|PERMISSION_DENIED|UNAUTHENTICATED|DEADLINE_EXCEEDED|toomanyrequests|TooManyRequests|insufficient_credits)\b/;

/** Rate limiting in words: `Rate limit exceeded`, `rate limit reached for …`, `Ratelimit exceeded`, `rateLimited`. */
const RATE_LIMIT_WORDS =
  /\brate[ _-]?limit(?:s|ed)?\s+(?:is\s+|was\s+|has been\s+)?(?:exceeded|reached|hit)\b|\bexceeded (?:the |your )?(?:call |token |request )?rate limit\b|\brateLimited\b|\bResource has been exhausted\b|\bRate exceeded\b|\bexceeded your current quota\b/i;

/** A reason phrase used as the error's whole message or title: `'Too Many Requests'`, `: Bad Gateway`. */
const PHRASES: readonly (readonly [status: number, phrase: RegExp])[] = [
  [429, /\bToo Many Requests\b/i],
  [503, /\bService (?:Temporarily )?Unavailable\b/i],
  [502, /\bBad Gateway\b/i],
  [504, /\bGateway Time-?out\b/i],
  [500, /\bInternal Server Error\b/i],
  [413, /\bRequest Entity Too Large\b|\bPayload Too Large\b/i],
  [402, /\bPayment Required\b/],
  [412, /\bPrecondition Failed\b/],
  [422, /\bUnprocessable Entity\b/],
  [529, /(?::\s*|['"]message['"]:\s*['"])Overloaded\b/],
  [401, /(?::\s*|\(|['"])Unauthorized\b/],
  [403, /(?::\s*|\(|['"])Forbidden\b/],
  [404, /(?::\s*|\(|['"])Not Found\b|\bdoes not exist or you do not have access to it\b/],
  [400, /(?::\s*|\(|['"])Bad Request\b/],
];

/**
 * Every text pattern above needs one of these words (case aside): a text with none implies nothing.
 * Grouped by first letter, so a scan tries one branch per character instead of every word.
 */
const MAY_IMPLY_IN_TEXT =
  /a(?:uthenticat|t=error)|b(?:ad ?request)|c(?:redit|ontextwindow|ode\s*=)|d(?:enied|eadline|oes not exist)|e(?:xhausted)|f(?:orbidden|unction_invocation)|g(?:ateway)|i(?:nternal ?server)|m(?:alformed)|n(?:ot[ _]?found|o_response_from)|o(?:verload)|p(?:ermission|ayment|recondition)|q(?:uota)|r(?:ate[ _-]?limit|ate exceeded)|t(?:oo[ _]?many|oo large|hrottl)|u(?:navailable|nauthori|nauthent|nprocessable|pstream)/i;

/** False when `text` cannot imply a status: none of the words the text patterns need. */
export function mayImply(text: string): boolean {
  return MAY_IMPLY_IN_TEXT.test(text);
}

/** The status `text` implies, if it names one without the number. */
export function impliedStatus(text: string): ImpliedStatus | undefined {
  if (!MAY_IMPLY_IN_TEXT.test(text)) return undefined;
  for (const [status, name] of CLASSES) {
    const match = name.exec(text);
    if (match) return { status, evidence: `exception ${match[0]}` };
  }
  const grpc = GRPC_CODE.exec(text);
  if (grpc) return { status: GRPC_STATUS[grpc[1] as string] as number, evidence: `gRPC code ${grpc[1]}` };
  const code = CODE_IN_TEXT.exec(text);
  if (code) {
    const status = statusFromErrorCode(code[1] as string);
    if (status !== undefined) return { status, evidence: `error code ${code[1]}` };
  }
  for (const [status, words] of SERVER_WORDS) {
    const match = words.exec(text);
    if (match) return { status, evidence: `server message "${match[0]}"` };
  }
  const rateLimit = RATE_LIMIT_WORDS.exec(text);
  if (rateLimit) return { status: 429, evidence: `"${rateLimit[0]}"` };
  for (const [status, phrase] of PHRASES) {
    const match = phrase.exec(text);
    if (match)
      return { status, evidence: `reason phrase "${match[0].replace(/^[:('"\s]+|['"]?\s*$/g, '')}"` };
  }
  return undefined;
}
