import { Readable } from 'node:stream';
import { main } from '../../../cli/main';
import { CATALOG } from '../../../functions/core/catalog';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['classify', ...argv], {
    stdin: Readable.from([]),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('triage classify', () => {
  it.each(CATALOG.map((entry) => [entry.code, entry]))(
    'answers %i with its documented row',
    async (code, entry) => {
      const { code: exit, out } = await run(String(code), '--json');
      expect(exit).toBe(0);
      expect(JSON.parse(out)).toMatchObject({
        status: code,
        name: entry.name,
        possibleIssue: entry.possibleIssue,
        resolution: entry.resolution,
        category: entry.category,
        severity: entry.severity,
        retryable: entry.retryable,
        route: entry.route,
      });
    },
  );

  it('prints readable text by default', async () => {
    const { out } = await run('503');
    expect(out).toContain('503 Service Unavailable');
    expect(out).toContain('resolution:');
    expect(out).toContain('route: support');
  });

  it('handles unknown codes by class', async () => {
    expect(JSON.parse((await run('599', '--json')).out)).toMatchObject({
      route: 'support',
      basis: 520,
      documented: false,
    });
    expect(JSON.parse((await run('418', '--json')).out)).toMatchObject({
      route: 'record',
      category: 'client-error',
    });
  });

  it('tells the two 412 subtypes apart by the message', async () => {
    expect(JSON.parse((await run('412', 'Account', 'suspended', '--json')).out).subtype).toBe(
      'account-status',
    );
    expect(JSON.parse((await run('412', 'LoRA adapter failed to load', '--json')).out).subtype).toBe(
      'lora-load-failed',
    );
  });

  it.each([['600'], ['99'], ['abc'], ['5.5'], []])('exits 2 with a clear message for %p', async (...args) => {
    const { code, err } = await run(...(args as string[]));
    expect(code).toBe(2);
    expect(err).toMatch(/classify/);
  });
});
