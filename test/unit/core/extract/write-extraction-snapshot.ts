/**
 * Records the extractor's current output as the reference (`npx tsx test/unit/core/extract/write-extraction-snapshot.ts`).
 * Run it only on a commit whose output is the intended one; an optimisation must never need it.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  benchPayload,
  ownLines,
  payloadDigests,
  payloadInputsDigest,
  render,
  SNAPSHOT_FILE,
  type SnapshotHeader,
  type SnapshotRecord,
} from './extraction-snapshot';

const payload = benchPayload();
const header: SnapshotHeader = {
  payloadInputs: payloadInputsDigest(payload),
  payloadLines: payload.logEvents.length,
  payloadResults: payloadDigests(payload),
};
const records: SnapshotRecord[] = [
  ...ownLines().map((line) => ({ line, out: render(line) })),
  ...payload.logEvents.map((event) => ({ out: render(event.message) })),
];
const text = [header, ...records].map((item) => JSON.stringify(item)).join('\n');
writeFileSync(SNAPSHOT_FILE, gzipSync(Buffer.from(`${text}\n`), { level: 9 }));
console.log(`${SNAPSHOT_FILE}: ${records.length} results`);
