import { Readable } from 'node:stream';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';

function io(input: string | string[]): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const chunks = Array.isArray(input) ? input : [input];
  return {
    stdin: Readable.from(chunks),
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    lines,
    errors,
  };
}

describe('triage extract', () => {
  it('prints one JSON line per input line: the extraction or null', async () => {
    const cli = io(
      [
        'INFO started in 429ms',
        "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'https://api.fireworks.ai/inference/v1/chat/completions'",
        '',
        'AxiosError: Request failed with status code 429',
      ].join('\n'),
    );
    await expect(main(['extract'], cli)).resolves.toBe(0);
    expect(cli.lines.map((line) => JSON.parse(line))).toEqual([
      null,
      expect.objectContaining({
        status: 503,
        provider: 'fireworks',
        endpoint: '/inference/v1/chat/completions',
      }),
      null,
      { status: 429, provider: 'unknown', message: 'AxiosError: Request failed with status code 429' },
    ]);
  });

  it('handles CRLF line ends and lines split across input chunks', async () => {
    const cli = io(['status=50', '3 upstream\r\nok\r\n']);
    await expect(main(['extract'], cli)).resolves.toBe(0);
    expect(cli.lines.map((line) => JSON.parse(line)?.status ?? null)).toEqual([503, null]);
  });

  it('prints nothing for empty input', async () => {
    const cli = io('');
    await expect(main(['extract'], cli)).resolves.toBe(0);
    expect(cli.lines).toEqual([]);
  });

  it('rejects arguments it does not know with a usage error', async () => {
    const cli = io('');
    await expect(main(['extract', '--bogus'], cli)).resolves.toBe(2);
    expect(cli.errors.join('\n')).toMatch(/bogus/);
  });
});
