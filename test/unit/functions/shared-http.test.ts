import { Logger } from '@aws-lambda-powertools/logger';
import { TriageError, ValidationError } from '../../../functions/core/errors';
import { TooManyEventsError } from '../../../functions/core/normalize';
import {
  errorResponse,
  HttpError,
  headerValue,
  INTERNAL_ERROR_MESSAGE,
} from '../../../functions/shared/http';

const body = (result: { body: string }) => JSON.parse(result.body);

describe('shared/http errorResponse', () => {
  it('answers a ValidationError with 400 and its field details', () => {
    const result = errorResponse(
      new ValidationError('1 of 2 events are invalid', [{ path: 'events[1].status', message: 'missing' }]),
    );
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(body(result)).toEqual({
      error: {
        status: 400,
        type: 'invalid_request',
        message: '1 of 2 events are invalid',
        details: [{ path: 'events[1].status', message: 'missing' }],
      },
    });
  });

  it('answers TooManyEventsError with 413 payload_too_large', () => {
    const result = errorResponse(new TooManyEventsError('too many events: 501'));
    expect(result.statusCode).toBe(413);
    expect(body(result).error).toEqual({
      status: 413,
      type: 'payload_too_large',
      message: 'too many events: 501',
    });
  });

  it('keeps the status, type and headers of an HttpError', () => {
    const result = errorResponse(
      new HttpError(405, 'method_not_allowed', 'use POST', { headers: { allow: 'POST' } }),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('POST');
    expect(body(result).error.type).toBe('method_not_allowed');
  });

  it('answers unknown errors with a generic 500 and logs the real one', () => {
    const logger = new Logger({ logLevel: 'SILENT' });
    const logged = jest.spyOn(logger, 'error');
    const secret = new Error('AccessDenied on arn:aws:sqs:us-east-1:123456789012:events');
    const result = errorResponse(secret, logger);
    expect(result.statusCode).toBe(500);
    expect(body(result)).toEqual({
      error: { status: 500, type: 'internal_error', message: INTERNAL_ERROR_MESSAGE },
    });
    expect(result.body).not.toContain('arn:aws');
    expect(logged).toHaveBeenCalledWith(expect.any(String), secret);
  });

  it('never exposes the message of a 5xx TriageError', () => {
    const result = errorResponse(new TriageError('queue https://sqs.internal/123 unavailable'));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('sqs.internal');
  });
});

describe('shared/http headerValue', () => {
  it('finds a header whatever its case', () => {
    expect(headerValue({ Authorization: 'Bearer x' }, 'authorization')).toBe('Bearer x');
    expect(headerValue(undefined, 'authorization')).toBeUndefined();
  });
});
