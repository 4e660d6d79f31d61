import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ValidationError } from '../../../functions/core/errors';
import { jsonResponse } from '../../../functions/shared/http';
import { withHttpMiddleware, withStandardMiddleware } from '../../../functions/shared/middleware';

const context = {
  functionName: 'fn',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
  memoryLimitInMB: '128',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/fn',
  logStreamName: 's',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

function kit() {
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  const added = jest.spyOn(Metrics.prototype, 'addMetric');
  const published = jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  return { logger, metrics, added, published, plugin: { timeoutEarlyInMillis: 0 } };
}

describe('shared/middleware', () => {
  it('turns a handler error into the JSON error body and counts the rejection by status', async () => {
    const { added, ...options } = kit();
    const dimension = jest.spyOn(options.metrics, 'addDimension');
    const handler = withHttpMiddleware(async () => {
      throw new ValidationError('bad', [{ path: 'status', message: 'missing' }]);
    }, options);
    const result = await handler({}, context);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.details).toEqual([{ path: 'status', message: 'missing' }]);
    expect(added).toHaveBeenCalledWith('RequestsRejected', 'Count', 1);
    expect(dimension).toHaveBeenCalledWith('status', '400');
  });

  it('flushes metrics even when the handler failed', async () => {
    const { published, ...options } = kit();
    const handler = withHttpMiddleware(async () => {
      throw new Error('boom');
    }, options);
    const result = await handler({}, context);
    expect(result.statusCode).toBe(500);
    expect(published).toHaveBeenCalled();
  });

  it('passes a successful response through unchanged', async () => {
    const options = kit();
    const handler = withHttpMiddleware(async () => jsonResponse(200, { ok: true }), options);
    await expect(handler({}, context)).resolves.toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  });

  it('lets errors of event-driven handlers propagate (so the event source retries)', async () => {
    const options = kit();
    const handler = withStandardMiddleware(async () => {
      throw new Error('downstream');
    }, options);
    await expect(handler({}, context)).rejects.toThrow('downstream');
  });

  it('resets keys appended during an invocation when it ends', async () => {
    const options = kit();
    const reset = jest.spyOn(options.logger, 'resetKeys');
    const handler = withStandardMiddleware(async () => {
      options.logger.appendKeys({ app: 'checkout' });
      return 'ok';
    }, options);
    await handler({}, context);
    expect(reset).toHaveBeenCalled();
  });
});
