import { randomUUID } from 'node:crypto';
import { normalizeBody } from '../../functions/core/normalize';
import { packEvents } from '../../functions/core/queue-message';
import { HUNDRED_K, hundredK } from '../fixtures/hundred-k';
import { round } from '../lib/stats';
import { compare } from '../lib/timing';
import type { BenchPart } from './part';

/**
 * `ingestVsJsonParse`: validate + normalize + redact the 100 000-event mixed batch, exactly as the ingest
 * handler does (normalizeBody per webhook request of 500 events), against JSON.parse of the batch's text.
 * The handler's own JSON.parse is the floor and not in the numerator; packing into queue messages is
 * reported beside it.
 */
export const ingestPart: BenchPart = {
  name: 'ingest path',
  keys: ['ingestVsJsonParse'],
  async run({ quick }) {
    const { text, requests, canonical } = hundredK();
    const options = { newId: randomUUID, source: 'webhook' as const };
    const runs = quick ? 5 : 15;
    const warmup = quick ? 2 : 3;
    const parse = () => JSON.parse(text);
    const normalize = () => {
      for (const request of requests) normalizeBody(request, options);
    };
    const main = await compare(normalize, parse, { runs, warmup });
    const steady = await compare(normalize, parse, { runs: quick ? 3 : 9, warmup: 1, gc: 'young' });
    // Beside the figure only: skipped by --quick to keep it under a minute.
    const pack = quick
      ? undefined
      : await compare(
          () => {
            for (let i = 0; i < canonical.length; i += 500) {
              packEvents(canonical.slice(i, i + 500), { batchPrefix: 'b', receivedAt: 1 });
            }
          },
          parse,
          { runs, warmup: 1 },
        );
    const ratio = main.ratio.median;
    return {
      figures: [
        {
          key: 'ingestVsJsonParse',
          value: round(ratio),
          unit: '× JSON.parse',
          // A guard (issue 22): reported pass/miss, not tuned further.
          target: '≤ 3.5',
          pass: ratio <= 3.5,
          beside: `${round(main.subjectMs.median)} ms vs JSON.parse ${round(main.baselineMs.median)} ms for ${HUNDRED_K} events (${round(text.length / 1e6)} MB); pair ratios ${round(main.ratio.min)}–${round(main.ratio.max)}; with young-generation GCs only ${round(steady.ratio.median)} ×`,
        },
      ],
      details: {
        events: HUNDRED_K,
        textBytes: text.length,
        runs,
        ratio: main.ratio,
        steadyStateRatio: steady.ratio,
        normalizeMs: main.subjectMs,
        jsonParseMs: main.baselineMs,
        packEventsVsJsonParse: pack?.ratio,
      },
    };
  },
};
