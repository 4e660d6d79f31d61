/** One measurement of `npm run bench`: its own module, run by bench/run.ts. */
export interface BenchContext {
  /** `--quick`: fewer runs and smaller side workloads; the headline workloads keep their size. */
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

export interface Figure {
  /** The JSON key (fixed by issue 7). */
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  /** e.g. '≤ 2.0'; checked with `pass`. */
  readonly target?: string;
  readonly pass?: boolean;
  /** The baseline or context shown beside the figure. */
  readonly beside?: string;
}

export interface PartResult {
  readonly figures: readonly Figure[];
  /** Everything else worth keeping in the JSON (raw samples summaries, counts, prices). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface BenchPart {
  readonly name: string;
  /** The figure keys this part produces (rows printed as n/a when the part cannot run). */
  readonly keys: readonly string[];
  run(context: BenchContext): Promise<PartResult>;
}

/** A part whose dependency is not there yet: the runner prints `n/a: <why>`. */
export class NotAvailable extends Error {
  override readonly name = 'NotAvailable';
}
