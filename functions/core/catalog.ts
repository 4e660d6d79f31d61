/**
 * The documented Fireworks error table (docs "Understanding error codes"), every row verbatim,
 * plus the fields this service adds: category, severity, retryable and route.
 */

export type Category =
  | 'invalid-request'
  | 'authentication'
  | 'billing'
  | 'authorization'
  | 'not-found'
  | 'account-status'
  | 'timeout'
  | 'payload-too-large'
  | 'rate-limit'
  | 'server-error'
  | 'client-error'
  | 'not-an-error';

export type Severity = 'critical' | 'high' | 'warning' | 'info';

/** Who hears about it: support/on-call, the account's billing owners, or nobody (recorded only). */
export type Route = 'support' | 'account' | 'record';

export interface CatalogEntry {
  readonly code: number;
  readonly name: string;
  readonly possibleIssue: string;
  readonly resolution: string;
  readonly category: Category;
  readonly severity: Severity;
  /** What the official OpenAI-compatible SDKs retry: 408, 409, 429 and every 5xx. */
  readonly retryable: boolean;
  readonly route: Route;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    code: 400,
    name: 'Bad Request',
    possibleIssue: 'Invalid input or malformed request.',
    resolution: 'Review the request parameters and ensure they match the expected format.',
    category: 'invalid-request',
    severity: 'info',
    retryable: false,
    route: 'record',
  },
  {
    code: 401,
    name: 'Unauthorized',
    possibleIssue: 'Invalid API key or insufficient permissions.',
    resolution: 'Verify your API key and ensure it has the correct permissions.',
    category: 'authentication',
    severity: 'high',
    retryable: false,
    route: 'account',
  },
  {
    code: 402,
    name: 'Payment Required',
    possibleIssue: 'Account is not on a paid plan or has exceeded usage limits.',
    resolution:
      'Check your billing status and ensure your payment method is up to date. Upgrade your plan if necessary.',
    category: 'billing',
    severity: 'high',
    retryable: false,
    route: 'account',
  },
  {
    code: 403,
    name: 'Forbidden',
    possibleIssue: 'Authentication issues.',
    resolution: 'Verify you have the correct API key.',
    category: 'authorization',
    severity: 'high',
    retryable: false,
    route: 'account',
  },
  {
    code: 404,
    name: 'Not Found',
    possibleIssue:
      'The API endpoint path doesn’t exist, the model doesn’t exist, the model is not deployed, or you don’t have permission to access it.',
    resolution:
      'Verify the URL path in your request and ensure you are using the correct API endpoint. Check if the model exists and is available. Ensure you have the necessary permissions.',
    category: 'not-found',
    severity: 'warning',
    retryable: false,
    route: 'record',
  },
  {
    code: 405,
    name: 'Method Not Allowed',
    possibleIssue: 'Using an unsupported HTTP method (e.g., using GET instead of POST).',
    resolution: 'Check the API documentation for the correct HTTP method.',
    category: 'invalid-request',
    severity: 'info',
    retryable: false,
    route: 'record',
  },
  {
    code: 408,
    name: 'Request Timeout',
    possibleIssue:
      'The request took too long to complete, possibly due to server overload or network issues.',
    resolution: 'Retry the request after a brief wait. Consider increasing the timeout value if applicable.',
    category: 'timeout',
    severity: 'warning',
    retryable: true,
    route: 'record',
  },
  {
    code: 412,
    name: 'Precondition Failed',
    possibleIssue:
      'Account is suspended or there’s an issue with account status. This error also occurs when attempting to invoke a LoRA model that failed to load.',
    resolution:
      'Check your account status and billing information. For LoRA models, ensure the model was uploaded correctly and is compatible. Contact support if the issue persists.',
    category: 'account-status',
    severity: 'high',
    retryable: false,
    route: 'account',
  },
  {
    code: 413,
    name: 'Payload Too Large',
    possibleIssue: 'Input data exceeds the allowed size limit.',
    resolution: 'Reduce the size of the input payload (e.g., by trimming large text or image data).',
    category: 'payload-too-large',
    severity: 'info',
    retryable: false,
    route: 'record',
  },
  {
    code: 429,
    name: 'Over Quota',
    possibleIssue: 'You’ve reached the API rate limit.',
    resolution:
      'Wait for the quota to reset or upgrade your plan for a higher rate limit. See Rate Limits & Quotas.',
    category: 'rate-limit',
    severity: 'warning',
    retryable: true,
    route: 'record',
  },
  {
    code: 500,
    name: 'Internal Server Error',
    possibleIssue: 'Server-side code bug that is unlikely to resolve on its own.',
    resolution:
      'Contact Fireworks support immediately, as this error typically requires intervention from the engineering team.',
    category: 'server-error',
    severity: 'critical',
    retryable: true,
    route: 'support',
  },
  {
    code: 502,
    name: 'Bad Gateway',
    possibleIssue: 'The server received an invalid response from an upstream server.',
    resolution: 'Wait and retry the request. If the error persists, it may indicate a server outage.',
    category: 'server-error',
    severity: 'high',
    retryable: true,
    route: 'support',
  },
  {
    code: 503,
    name: 'Service Unavailable',
    possibleIssue: 'The service is down for maintenance or experiencing issues.',
    resolution: 'Retry the request after some time. Check the status page for maintenance announcements.',
    category: 'server-error',
    severity: 'high',
    retryable: true,
    route: 'support',
  },
  {
    code: 504,
    name: 'Gateway Timeout',
    possibleIssue: 'The server did not receive a response in time from an upstream server.',
    resolution: 'Wait briefly and retry the request. Consider using a shorter input prompt if applicable.',
    category: 'server-error',
    severity: 'high',
    retryable: true,
    route: 'support',
  },
  {
    code: 520,
    name: 'Unknown Error',
    possibleIssue: 'An unexpected error occurred with no clear explanation.',
    resolution: 'Retry the request. If the issue persists, contact support for further assistance.',
    category: 'server-error',
    severity: 'high',
    retryable: true,
    route: 'support',
  },
];

/** Advice the same documentation page gives for codes it does not list. */
export const UNLISTED_CODE_TIP =
  'Enable detailed error logging in your application to capture the full error response, including error messages and request IDs, which helps with debugging.';

const BY_CODE: ReadonlyMap<number, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.code, entry]));

export function catalogEntry(code: number): CatalogEntry | undefined {
  return BY_CODE.get(code);
}
