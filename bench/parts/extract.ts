import { gunzipSync } from 'node:zlib';
import { extractFromLogsPayload } from '../../functions/core/extract/logs-payload';
import { decodeLogsPayload, GUNZIP_OPTIONS } from '../../functions/logs/decode-payload';
import { logsPayload } from '../fixtures/logs-payload';
import { round } from '../lib/stats';
import { compare } from '../lib/timing';
import type { BenchPart } from './part';

/**
 * `extractVsGunzipParse`: what the logs function does with a 1 MB (compressed) subscription payload —
 * decode (base64, gunzip, JSON.parse, schema) and extract errors from every line — against the floor of
 * base64 + gunzip + JSON.parse of the same data (the same synchronous gunzip as the function: see
 * GUNZIP_OPTIONS for why it is not the thread pool's).
 */
export const extractPart: BenchPart = {
  name: 'logs extraction',
  keys: ['extractVsGunzipParse'],
  async run({ quick }) {
    const fixture = logsPayload();
    const event = { awslogs: { data: fixture.data } };
    let extracted = 0;
    const subject = async () => {
      const payload = await decodeLogsPayload(event);
      extracted = extractFromLogsPayload(payload, { count: 'default' }).events.length;
    };
    const floor = async () =>
      JSON.parse(gunzipSync(Buffer.from(fixture.data, 'base64'), GUNZIP_OPTIONS).toString('utf8'));
    const comparison = await compare(subject, floor, { runs: quick ? 5 : 21, warmup: quick ? 2 : 5 });
    const steady = await compare(subject, floor, { runs: quick ? 3 : 9, warmup: 1, gc: 'young' });
    const ratio = comparison.ratio.median;
    return {
      figures: [
        {
          key: 'extractVsGunzipParse',
          value: round(ratio),
          unit: '× gunzip+parse',
          target: '≤ 4.0',
          pass: ratio <= 4.0,
          beside: `${round(comparison.subjectMs.median)} ms vs ${round(comparison.baselineMs.median)} ms; ${round(fixture.compressedBytes / 1e6)} MB gzip → ${round(fixture.decompressedBytes / 1e6)} MB, ${fixture.lines} lines, ${extracted} errors extracted; with young-generation GCs only ${round(steady.ratio.median)} ×`,
        },
      ],
      details: {
        ...fixture,
        data: undefined,
        extracted,
        ratio: comparison.ratio,
        steadyStateRatio: steady.ratio,
        subjectMs: comparison.subjectMs,
        floorMs: comparison.baselineMs,
      },
    };
  },
};
