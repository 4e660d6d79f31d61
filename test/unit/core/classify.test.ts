import { classify, subtypeOf } from '../../../functions/core/classify';
import { ValidationError } from '../../../functions/core/errors';

describe('classify', () => {
  it('gives a documented code its row and handling', () => {
    const c = classify(503);
    expect(c).toMatchObject({
      status: 503,
      name: 'Service Unavailable',
      documented: true,
      route: 'support',
      retryable: true,
    });
  });

  it('treats an unlisted 5xx like 520, still with its own status', () => {
    const c = classify(599);
    expect(c).toMatchObject({
      status: 599,
      basis: 520,
      documented: false,
      route: 'support',
      retryable: true,
    });
    expect(c.resolution).toBe(classify(520).resolution);
    expect(c.name).toContain('599');
  });

  it('treats an unlisted 4xx as a recorded client error (409 retryable, 418 not)', () => {
    expect(classify(409)).toMatchObject({
      category: 'client-error',
      route: 'record',
      retryable: true,
      documented: false,
    });
    expect(classify(418)).toMatchObject({ category: 'client-error', route: 'record', retryable: false });
  });

  it('does not call 1xx-3xx errors', () => {
    expect(classify(200)).toMatchObject({ category: 'not-an-error', route: 'record', retryable: false });
  });

  it.each([99, 600, 0, -1, 503.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %p as invalid input',
    (status) => {
      expect(() => classify(status)).toThrow(ValidationError);
    },
  );

  describe('subtypes', () => {
    it.each([
      ['Account suspended. Please contact billing.', 'account-status'],
      ['precondition failed', 'account-status'],
      [undefined, 'account-status'],
      ['LoRA adapter accounts/acme/models/my-lora failed to load', 'lora-load-failed'],
      ['Failed to load addon for model', 'lora-load-failed'],
    ])('412 "%s" is %s', (message, subtype) => {
      expect(classify(412, message).subtype).toBe(subtype);
    });

    it.each([
      ['Model not found, inaccessible, and/or not deployed', 'model-unavailable'],
      ['The model accounts/fireworks/models/llama-v9 does not exist', 'model-unavailable'],
      ['Model accounts/acme/models/x is not deployed', 'model-unavailable'],
      ['Path not found: /inference/v1/chat/complete', 'path-not-found'],
      ['Cannot POST /v1/chat', 'path-not-found'],
      ['Not Found', undefined],
    ])('404 "%s" is %s', (message, subtype) => {
      expect(classify(404, message).subtype).toBe(subtype);
    });

    it('only 404 and 412 have subtypes', () => {
      expect(subtypeOf(503, 'model not found')).toBeUndefined();
      expect(classify(429, 'LoRA failed to load').subtype).toBeUndefined();
    });

    it('routes a 412 whose LoRA failed to load to support, any other 412 to the account owner', () => {
      expect(classify(412, 'LoRA adapter accounts/acme/models/my-lora failed to load').route).toBe('support');
      expect(classify(412, 'Account suspended. Please contact billing.').route).toBe('account');
      expect(classify(412).route).toBe('account');
    });

    // The EventsTriaged metric (policy/triaged-counts.ts) tallies per status and classifies each status once.
    it('leaves the category to the status: no message changes it', () => {
      const messages = [
        'Account suspended. Please contact billing.',
        'LoRA adapter accounts/acme/models/my-lora failed to load',
        'Model not found, inaccessible, and/or not deployed',
        'Path not found: /inference/v1/chat/complete',
        'Not Found',
        '',
      ];
      for (let status = 100; status <= 599; status++) {
        const { category } = classify(status);
        for (const message of messages) expect(classify(status, message).category).toBe(category);
      }
    });
  });
});
