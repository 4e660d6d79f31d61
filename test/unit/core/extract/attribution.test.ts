import { attribute, COUNT_MODES, counts } from '../../../../functions/core/extract/attribution';

describe('attribute', () => {
  it.each([
    [
      'fireworks',
      true,
      'INFO:httpx:HTTP Request: POST https://api.fireworks.ai/inference/v1/chat/completions "HTTP/1.1 503"',
    ],
    ['fireworks', true, 'litellm.BadRequestError: Fireworks_aiException - Invalid format type'],
    ['fireworks', true, 'Model not found: accounts/acme/models/my-lora'],
    [
      'other',
      true,
      'HTTPError: 429 Client Error: Too Many Requests for url: https://api.openai.com/v1/chat/completions',
    ],
    ['other', true, 'litellm.RateLimitError: AnthropicException - rate_limit_error'],
    [
      'other',
      false,
      'Error: [fetch] failed to fetch: GET 500  https://firefly.mask.social/api/firefly/sponsorship',
    ],
    [
      'other',
      false,
      '2020/10/17 11:50:56 [error] 28#28: *2 connect() failed (111: Connection refused) while connecting to upstream, request: "GET / HTTP/1.1"',
    ],
    ['other', false, '<head><title>504 Gateway Time-out</title></head>'],
    ['unknown', true, "openai.RateLimitError: Error code: 429 - {'error': {'message': 'slow down'}}"],
    [
      'unknown',
      true,
      'INFO:     10.0.21.22:53896 - "POST /chat/completions HTTP/1.1" 500 Internal Server Error',
    ],
    ['unknown', undefined, 'AxiosError: Request failed with status code 500'],
    // A service beside the model decides only where no LLM client speaks.
    ['other', false, 'pinecone.core.client.exceptions.ServiceException: (503) Reason: Service Unavailable'],
    ['other', false, 'slack_sdk.errors.SlackApiError: The request to the Slack API failed. (HTTP 429)'],
    ['unknown', true, 'slack_bolt: openai.RateLimitError: Error code: 429 - rate limit reached'],
  ])('%s (llm %s): %s', (provider, llm, line) => {
    expect(attribute(line)).toMatchObject({ provider, llm });
  });

  it('says what decided', () => {
    expect(attribute('POST https://api.fireworks.ai/inference/v1/x').evidence).toMatch(/Fireworks/);
  });
});

describe('counts', () => {
  const cases = {
    fireworks: { provider: 'fireworks', llm: true },
    unknownLlm: { provider: 'unknown', llm: true },
    unknown: { provider: 'unknown', llm: undefined },
    otherProvider: { provider: 'other', llm: true },
    nonLlm: { provider: 'other', llm: false },
  } as const;

  it.each([
    ['default', ['fireworks', 'unknownLlm', 'unknown']],
    ['shown', ['fireworks', 'unknownLlm']],
    ['llm', ['fireworks', 'unknownLlm', 'unknown', 'otherProvider']],
    ['all', ['fireworks', 'unknownLlm', 'unknown', 'otherProvider', 'nonLlm']],
  ] as const)('%s counts %j', (mode, expected) => {
    const counted = Object.entries(cases)
      .filter(([, attribution]) => counts(attribution, mode))
      .map(([name]) => name);
    expect(counted).toEqual(expected);
  });

  it('knows every mode', () => {
    expect(COUNT_MODES).toEqual(['default', 'shown', 'llm', 'all']);
  });
});
