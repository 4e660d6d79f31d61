import {
  extractFireworksOnly,
  extractFromLine,
  NON_FIREWORKS_ERROR,
} from '../../../../functions/core/extract/extract-line';
import { ownLines } from './extraction-snapshot';

describe('extractFireworksOnly', () => {
  it('answers NON_FIREWORKS_ERROR for text and JSON error lines that do not show Fireworks', () => {
    const text =
      'openai.RateLimitError: Error code: 429 - {"error": {"message": "slow down", "type": "requests"}}';
    const json = JSON.stringify({
      statusCode: 503,
      message: 'upstream failed',
      url: 'https://api.openai.com/v1/x',
    });
    for (const line of [text, json]) {
      expect(extractFromLine(line)).toMatchObject({ provider: 'unknown' });
      expect(extractFireworksOnly(line)).toBe(NON_FIREWORKS_ERROR);
    }
  });

  it('gives extractFromLine’s answer for Fireworks error lines and for lines without an error', () => {
    const fireworks =
      'INFO:httpx:HTTP Request: POST https://api.fireworks.ai/inference/v1/chat/completions "HTTP/1.1 503 Service Unavailable"';
    expect(extractFireworksOnly(fireworks)).toEqual(extractFromLine(fireworks));
    expect(extractFireworksOnly(fireworks)).toMatchObject({ status: 503, provider: 'fireworks' });
    expect(extractFireworksOnly('GET /health 200 took 3 ms')).toBeUndefined();
  });

  it('does not carry one line’s Fireworks mark over to the next line', () => {
    const other = JSON.stringify({ statusCode: 500, message: 'boom' });
    const fireworks = JSON.stringify({ statusCode: 500, message: 'boom', url: 'https://api.fireworks.ai/x' });
    expect(extractFireworksOnly(fireworks)).toMatchObject({ provider: 'fireworks' });
    expect(extractFireworksOnly(other)).toBe(NON_FIREWORKS_ERROR);
    expect(extractFireworksOnly(fireworks)).toMatchObject({ provider: 'fireworks' });
  });

  it('agrees with extractFromLine on every corpus variant and generated line', () => {
    const lines = ownLines();
    let dropped = 0;
    let kept = 0;
    const disagreements: string[] = [];
    for (const line of lines) {
      const full = extractFromLine(line);
      const only = extractFireworksOnly(line);
      const expected = full?.provider === 'unknown' ? NON_FIREWORKS_ERROR : full;
      if (expected === NON_FIREWORKS_ERROR) dropped++;
      else if (expected) kept++;
      if (
        expected === NON_FIREWORKS_ERROR || expected === undefined
          ? only !== expected
          : JSON.stringify(only) !== JSON.stringify(expected)
      )
        disagreements.push(line);
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    // Not vacuous: both kinds of error line are there.
    expect(dropped).toBeGreaterThan(200);
    expect(kept).toBeGreaterThan(1000);
  });
});
