import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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

const [headerText, ...recordTexts] = gunzipSync(readFileSync(SNAPSHOT_FILE))
  .toString('utf8')
  .split('\n')
  .filter((line) => line.length > 0);
const header = JSON.parse(headerText as string) as SnapshotHeader;
const records = recordTexts.map((text) => JSON.parse(text) as SnapshotRecord);
const withLine = records.filter((record): record is { line: string; out: string } => 'line' in record);
const payloadRecords = records.filter((record) => !('line' in record));

/** The first records whose output differs, to show in a failure (the whole list would drown it). */
function firstDifferences(pairs: readonly { line: string; expected: string }[]) {
  const differences = [];
  for (const { line, expected } of pairs) {
    const actual = render(line);
    if (actual !== expected) differences.push({ line, expected, actual });
    if (differences.length === 5) break;
  }
  return differences;
}

describe('extractFromLine against its recorded output', () => {
  it('holds the corpus variants and generated lines, and the bench payload results', () => {
    expect(withLine.length).toBe(ownLines().length);
    expect(withLine.length).toBeGreaterThan(10_000);
    expect(payloadRecords.length).toBe(header.payloadLines);
    // Not vacuous: both kinds of result are well represented.
    expect(withLine.filter((record) => record.out === 'null').length).toBeGreaterThan(5000);
    expect(withLine.filter((record) => record.out !== 'null').length).toBeGreaterThan(2500);
  });

  it('gives exactly the recorded result for every corpus variant and generated line', () => {
    expect(firstDifferences(withLine.map(({ line, out }) => ({ line, expected: out })))).toEqual([]);
  });

  it('gives exactly the recorded result for every line of the bench payload', () => {
    const payload = benchPayload();
    // A changed generator is not a changed extractor: say which one moved.
    expect(payloadInputsDigest(payload)).toBe(header.payloadInputs);
    const pairs = payload.logEvents.map((event, i) => ({
      line: event.message,
      expected: (payloadRecords[i] as SnapshotRecord).out,
    }));
    expect(firstDifferences(pairs)).toEqual([]);
    expect(payloadDigests(payload)).toEqual(header.payloadResults);
  });
});
