import { SettledBatches, type SettledMarkers } from '../../../functions/triage/settled-batches';

/** Markers in a Set, with every read recorded. */
function markerStore(initial: readonly string[] = []) {
  const stored = new Set(initial);
  const reads: string[][] = [];
  const markers: SettledMarkers = {
    settledAmong: jest.fn(async (fingerprints: Iterable<string>) => {
      const asked = [...fingerprints];
      reads.push(asked);
      return new Set(asked.filter((fingerprint) => stored.has(fingerprint)));
    }),
    markSettled: jest.fn(async (fingerprints: Iterable<string>) => {
      for (const fingerprint of fingerprints) stored.add(fingerprint);
    }),
  };
  return { markers, reads, stored };
}

describe('triage settled batches', () => {
  it('reads only what it does not know to be settled, and keeps what it found', async () => {
    const { markers, reads } = markerStore(['a']);
    const settledBatches = new SettledBatches(markers);

    expect(await settledBatches.among(['a', 'b'])).toEqual(new Set(['a']));
    expect(await settledBatches.among(['a', 'b'])).toEqual(new Set(['a']));

    // "b" is not settled yet: asked again; "a" is known.
    expect(reads).toEqual([['a', 'b'], ['b']]);
  });

  it('knows what it marked, without reading it back', async () => {
    const { markers, reads } = markerStore();
    const settledBatches = new SettledBatches(markers);

    await settledBatches.mark(['a', 'b'], 0);

    expect(await settledBatches.among(['a', 'b'])).toEqual(new Set(['a', 'b']));
    expect(reads).toEqual([]);
    expect(markers.markSettled).toHaveBeenCalledWith(['a', 'b'], 0);
  });

  it('learns nothing from a mark that failed', async () => {
    const { markers, reads } = markerStore();
    (markers.markSettled as jest.Mock).mockRejectedValueOnce(new Error('throttled'));
    const settledBatches = new SettledBatches(markers);

    await expect(settledBatches.mark(['a'], 0)).rejects.toThrow('throttled');

    expect(await settledBatches.among(['a'])).toEqual(new Set());
    expect(reads).toEqual([['a']]);
  });

  it('keeps at most its capacity, forgetting the least recently learnt first', async () => {
    const { markers, reads } = markerStore();
    const settledBatches = new SettledBatches(markers, 2);

    await settledBatches.mark(['a', 'b'], 0);
    await settledBatches.mark(['a'], 0);
    await settledBatches.mark(['c'], 0);

    // "b" went first ("a" was learnt again after it); the markers still answer for it.
    expect(await settledBatches.among(['a', 'b', 'c'])).toEqual(new Set(['a', 'b', 'c']));
    expect(reads).toEqual([['b']]);
  });
});
