import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createCodesHandler } from '../../../functions/codes/handler';
import { CATALOG, UNLISTED_CODE_TIP } from '../../../functions/core/catalog';
import { getCodes, lambdaContext } from '../../fixtures/apigw';

let added: jest.SpyInstance;

function setup() {
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  added = jest.spyOn(Metrics.prototype, 'addMetric');
  return createCodesHandler({
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
  });
}

describe('codes handler', () => {
  it('serves every documented row, the fallbacks and the tip, cacheable for an hour', async () => {
    const result = await setup()(getCodes(), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('public, max-age=3600');
    const body = JSON.parse(result.body);
    expect(body.codes).toEqual(CATALOG);
    expect(body.codes.map((c: { code: number }) => c.code)).toEqual([
      400, 401, 402, 403, 404, 405, 408, 412, 413, 429, 500, 502, 503, 504, 520,
    ]);
    expect(body.unlistedTip).toBe(UNLISTED_CODE_TIP);
    expect(added).toHaveBeenCalledWith('CatalogRequests', 'Count', 1);
    expect(body.fallbacks['4xx']).toMatchObject({
      category: 'client-error',
      route: 'record',
      resolution: UNLISTED_CODE_TIP,
    });
    expect(body.fallbacks['5xx']).toMatchObject({ basis: 520, route: 'support', retryable: true });
  });

  it('answers 405 with Allow: GET for other methods', async () => {
    const result = await setup()(getCodes({ method: 'DELETE' }), lambdaContext());
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('GET');
    expect(JSON.parse(result.body).error.type).toBe('method_not_allowed');
  });
});
