import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, catalogEntry } from '../../../functions/core/catalog';

/** The documented table, read from the copy of the seed kept in fixtures. */
function documentedRows(): { code: number; name: string; possibleIssue: string; resolution: string }[] {
  const text = readFileSync(join(__dirname, '../../fixtures/fireworks-error-codes.md'), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\| \d{3} \|/.test(line))
    .map((line) => {
      const [code, name, possibleIssue, resolution] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        code: Number(code),
        name: name ?? '',
        possibleIssue: possibleIssue ?? '',
        resolution: resolution ?? '',
      };
    });
}

describe('catalog', () => {
  const rows = documentedRows();

  it('carries all fifteen documented rows and nothing else', () => {
    expect(rows).toHaveLength(15);
    expect(CATALOG.map((entry) => entry.code)).toEqual(rows.map((row) => row.code));
  });

  it.each(rows)('$code carries the documented name, issue and resolution verbatim', (row) => {
    const entry = catalogEntry(row.code);
    expect(entry).toBeDefined();
    expect({
      code: entry?.code,
      name: entry?.name,
      possibleIssue: entry?.possibleIssue,
      resolution: entry?.resolution,
    }).toEqual(row);
  });

  it('routes 500 and 5xx to support, 401/402/403/412 to account owners, the rest to the record', () => {
    const byRoute = (route: string) =>
      CATALOG.filter((entry) => entry.route === route).map((entry) => entry.code);
    expect(byRoute('support')).toEqual([500, 502, 503, 504, 520]);
    expect(byRoute('account')).toEqual([401, 402, 403, 412]);
    expect(byRoute('record')).toEqual([400, 404, 405, 408, 413, 429]);
  });

  it('marks as retryable exactly what the OpenAI-compatible SDKs retry (408, 429, 5xx)', () => {
    expect(CATALOG.filter((entry) => entry.retryable).map((entry) => entry.code)).toEqual([
      408, 429, 500, 502, 503, 504, 520,
    ]);
  });

  it('rates only 500 critical', () => {
    expect(CATALOG.filter((entry) => entry.severity === 'critical').map((entry) => entry.code)).toEqual([
      500,
    ]);
  });
});
