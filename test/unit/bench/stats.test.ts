import { median, pairedRatio, percentile, round, spread } from '../../../bench/lib/stats';

describe('bench stats', () => {
  it('takes the middle sample as the median of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle samples for an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('gives nearest-rank percentiles that are observed samples', () => {
    const samples = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(100);
    expect(percentile(samples, 99)).toBe(198);
    expect(percentile(samples, 100)).toBe(200);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
  });

  it('refuses empty or non-finite samples and percentiles outside 0–100', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('pairs ratios run by run, so a slow moment that hits both sides cancels out', () => {
    const ratio = pairedRatio([20, 40, 10], [10, 20, 10]);
    expect(ratio).toEqual({ n: 3, min: 1, median: 2, max: 2 });
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
  });

  it('summarises a spread as count, min, median and max', () => {
    expect(spread([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
  });

  it('rounds to three significant digits below 100 and to whole numbers above', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(0.012345)).toBe(0.0123);
    expect(round(1234.5)).toBe(1235);
    expect(round(0)).toBe(0);
  });
});
