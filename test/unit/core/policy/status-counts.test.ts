import { copyCounts, emptyCounts } from '../../../../functions/core/policy/status-counts';

describe('status counts', () => {
  it('holds and serialises counts exactly like a plain object, keys ascending', () => {
    const counts = emptyCounts();
    counts[599] = 1;
    counts[503] = 4;
    counts[502] = (counts[502] ?? 0) + 2;
    expect(JSON.stringify(counts)).toBe('{"502":2,"503":4,"599":1}');
    expect(Object.keys(counts)).toEqual(['502', '503', '599']);
    expect(counts).toEqual({ 502: 2, 503: 4, 599: 1 });
  });

  it('copies without sharing: the copy changes alone', () => {
    const original = { 500: 3, 401: 1 };
    const copy = copyCounts(original);
    copy[500] = (copy[500] ?? 0) + 1;
    copy[404] = 1;
    expect(original).toEqual({ 500: 3, 401: 1 });
    expect(JSON.stringify(copy)).toBe('{"401":1,"404":1,"500":4}');
  });
});
