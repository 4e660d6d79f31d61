/**
 * `npm run -s corpus [-- --misses]`: the log extractor's figures on the real-line corpus, both splits
 * (test/fixtures/logs/real/README.md), both collections and together, and with --misses the dev lines
 * that miss, by figure. The test
 * split's misses are never listed: it stays a measure, not a tuning set.
 */
import { counts } from '../functions/core/extract/attribution';
import { extractFromLine } from '../functions/core/extract/extract-line';
import {
  belowTarget,
  type CorpusRow,
  type Decision,
  type Figures,
  figuresOf,
  formatFigures,
  loadCorpus,
} from '../test/helpers/corpus-figures';

const decide = (line: string): Decision => {
  const extraction = extractFromLine(line);
  return { status: extraction?.status, counted: extraction !== undefined && counts(extraction, 'default') };
};

const corpus = loadCorpus();
const figures: Record<string, Figures> = {};
const parts: [string, (row: CorpusRow) => boolean][] = [
  ['dev', (row) => row.split === 'dev'],
  ['test', (row) => row.split === 'test'],
  ['  collection 1 dev', (row) => row.collection === 1 && row.split === 'dev'],
  ['  collection 1 test', (row) => row.collection === 1 && row.split === 'test'],
  ['  collection 2 dev', (row) => row.collection === 2 && row.split === 'dev'],
  ['  collection 2 test', (row) => row.collection === 2 && row.split === 'test'],
];
for (const [name, belongs] of parts) {
  const result = figuresOf(corpus.filter(belongs), decide);
  figures[name.trim()] = result;
  const below = belowTarget(result);
  console.log(
    `${formatFigures(name, result)}${below.length ? `\n    below target: ${below.join('; ')}` : ''}`,
  );
}
if (process.argv.includes('--misses')) {
  for (const [key, rate] of Object.entries(figures.dev as Figures)) {
    if (rate.misses.length === 0) continue;
    console.log(`\n${key} — dev lines that miss:`);
    for (const row of rate.misses) {
      const extraction = extractFromLine(row.line);
      console.log(
        `  labelled ${row.status ?? 'none'} (${row.provider}); found ${extraction?.status ?? 'none'} (${extraction?.provider ?? '-'}, ${extraction?.evidence.provider ?? '-'}): ${row.line.slice(0, 160)}`,
      );
    }
  }
}
