import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFromLine } from '../../../../functions/core/extract/extract-line';

interface LabelledLine {
  readonly line: string;
  readonly status: number | null;
  readonly provider: 'fireworks' | 'unknown' | null;
}

const corpus: LabelledLine[] = readFileSync(
  join(__dirname, '../../../fixtures/logs/labelled-lines.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as LabelledLine);

const withStatus = corpus.filter((item) => item.status !== null);
const withoutStatus = corpus.filter((item) => item.status === null);

describe('extractFromLine on the labelled corpus', () => {
  it('holds at least 150 varied lines, both kinds well represented', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect(withStatus.length).toBeGreaterThanOrEqual(75);
    expect(withoutStatus.length).toBeGreaterThanOrEqual(75);
  });

  it('finds the labelled status on at least 95% of the lines that show one', () => {
    const found = withStatus.filter((item) => extractFromLine(item.line)?.status === item.status);
    expect(found.length / withStatus.length).toBeGreaterThanOrEqual(0.95);
  });

  it('reports an error on at most 5% of the lines that show no status', () => {
    const falsePositives = withoutStatus.filter((item) => extractFromLine(item.line) !== undefined);
    expect(falsePositives.length / withoutStatus.length).toBeLessThanOrEqual(0.05);
  });

  it('names the labelled provider on at least 95% of the errors it finds', () => {
    const found = withStatus.filter((item) => extractFromLine(item.line)?.status === item.status);
    const right = found.filter((item) => extractFromLine(item.line)?.provider === item.provider);
    expect(right.length / found.length).toBeGreaterThanOrEqual(0.95);
  });
});
