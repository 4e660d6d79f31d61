import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FieldError, TriageError, ValidationError } from '../core/errors';

/** The `type` of every HTTP error body (contracts: HTTP error body). */
export type HttpErrorType =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'internal_error';

export interface HttpErrorBody {
  readonly error: {
    readonly status: number;
    readonly type: HttpErrorType;
    readonly message: string;
    readonly details?: readonly FieldError[];
  };
}

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

const TYPE_BY_STATUS: Readonly<Record<number, HttpErrorType>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The message every 5xx answers with: internal detail is logged, never sent. */
export const INTERNAL_ERROR_MESSAGE = 'internal error: the request could not be processed; retry later';

/** An error with a deliberate HTTP answer: status, type, the caller-safe message and optional headers. */
export class HttpError extends TriageError {
  override readonly name = 'HttpError';
  override readonly statusCode: number;
  readonly type: HttpErrorType;
  readonly details: readonly FieldError[];
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    statusCode: number,
    type: HttpErrorType,
    message: string,
    options: {
      readonly details?: readonly FieldError[];
      readonly headers?: Readonly<Record<string, string>>;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.statusCode = statusCode;
    this.type = type;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function errorBody(status: number, type: HttpErrorType, message: string, details: readonly FieldError[]) {
  const body: HttpErrorBody = {
    error: { status, type, message, ...(details.length > 0 ? { details } : {}) },
  };
  return body;
}

/**
 * The API Gateway v2 answer for any error: our 4xx errors (HttpError, ValidationError → 400, other
 * TriageErrors with a 4xx statusCode such as TooManyEventsError → 413) keep their message and details;
 * everything else is a 500 with a generic message, and the real error goes to the log only.
 */
export function errorResponse(error: unknown, log?: Logger): HttpResult {
  // A deliberate 503 (a dependency is down, nothing was accepted): the caller should retry after a while.
  if (error instanceof HttpError && error.statusCode === 503) {
    log?.warn('request answered 503', { reason: error.message, cause: errorText(error.cause) });
    return jsonResponse(503, errorBody(503, error.type, error.message, error.details), error.headers);
  }
  if (error instanceof HttpError && error.statusCode < 500) {
    return jsonResponse(
      error.statusCode,
      errorBody(error.statusCode, error.type, error.message, error.details),
      error.headers,
    );
  }
  if (error instanceof ValidationError) {
    return jsonResponse(400, errorBody(400, 'invalid_request', error.message, error.details));
  }
  if (error instanceof TriageError && error.statusCode >= 400 && error.statusCode < 500) {
    const type = TYPE_BY_STATUS[error.statusCode] ?? 'invalid_request';
    const details = (error as { details?: readonly FieldError[] }).details ?? [];
    return jsonResponse(error.statusCode, errorBody(error.statusCode, type, error.message, details));
  }
  if (error instanceof Error) log?.error('request failed with an internal error', error);
  else log?.error('request failed with an internal error', String(error));
  return jsonResponse(500, errorBody(500, 'internal_error', INTERNAL_ERROR_MESSAGE, []));
}

const errorText = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

/** Header lookup that ignores case (API Gateway v2 lowercases names; local servers may not). */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
