import type { StateRepository } from '../adapters/state-repository';
import type { ScopeState } from '../core/policy';

export type SettledMarkers = Pick<StateRepository<ScopeState>, 'settledAmong' | 'markSettled'>;

/** Fingerprints a container keeps (12 characters each: ~1 MB at most). */
export const KNOWN_SETTLED_CAPACITY = 10_000;

/**
 * The settled-batch markers as one warm container sees them. That a batch is settled (saved in every scope
 * it touched) is a fact that never becomes false, so what this container wrote or read is kept, and only
 * fingerprints not known to be settled are read (one read unit each, found or not). In steady traffic most
 * of what a scope remembers was settled by this same container an invocation earlier: no read for those.
 * Only positive answers are kept: "not settled" must be read again each time.
 */
export class SettledBatches {
  private readonly known = new Set<string>();

  constructor(
    private readonly markers: SettledMarkers,
    private readonly capacity = KNOWN_SETTLED_CAPACITY,
  ) {}

  /** Which of `fingerprints` are settled: the known ones, plus a strongly consistent read of the others. */
  async among(fingerprints: Iterable<string>): Promise<Set<string>> {
    const settled = new Set<string>();
    const unknown = new Set<string>();
    for (const fingerprint of fingerprints) {
      (this.known.has(fingerprint) ? settled : unknown).add(fingerprint);
    }
    if (unknown.size === 0) return settled;
    for (const fingerprint of await this.markers.settledAmong(unknown)) {
      settled.add(fingerprint);
      this.learn(fingerprint);
    }
    return settled;
  }

  /** Write the markers of `fingerprints` (processing time `now`); known once every one is written. */
  async mark(fingerprints: readonly string[], now: number): Promise<void> {
    await this.markers.markSettled(fingerprints, now);
    for (const fingerprint of fingerprints) this.learn(fingerprint);
  }

  private learn(fingerprint: string): void {
    this.known.delete(fingerprint);
    this.known.add(fingerprint);
    // A Set iterates in insertion order: the first is the least recently learnt.
    if (this.known.size > this.capacity) {
      for (const oldest of this.known) {
        this.known.delete(oldest);
        if (this.known.size <= this.capacity) break;
      }
    }
  }
}
