import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      {
        status: 429,
        provider: 'unknown',
        message: 'AxiosError: Request failed with status code 429',
        counted: true,
      },
    ]);
  });

  it('says whether the deployed default counts each error, and why with --explain', async () => {
    const lines = [
      'HTTPError: 502 Server Error: Bad Gateway for url: https://api.openai.com/v1/chat/completions',
      '"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
    ];
    const plain = io(lines.join('\n'));
    await expect(main(['extract'], plain)).resolves.toBe(0);
    expect(plain.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ status: 502, provider: 'other', counted: false }),
      expect.objectContaining({ status: 404, provider: 'other', counted: false }),
    ]);
    const explained = io(lines.join('\n'));
    await expect(main(['extract', '--explain', '--count', 'llm'], explained)).resolves.toBe(0);
    const [openai, website] = explained.lines.map((line) => JSON.parse(line));
    expect(openai).toMatchObject({
      counted: true,
      llm: true,
      evidence: { provider: expect.stringMatching(/api\.openai\.com/) },
    });
    expect(website).toMatchObject({
      counted: false,
      llm: false,
      evidence: { status: expect.stringMatching(/HTTP status line/) },
    });
  });

  it('counts as the config file says, for the log group named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ logGroups: ['/a', { name: '/b', count: 'all' }] }));
    const line = '"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"';
    const counted = async (args: string[]) => {
      const cli = io(line);
      await expect(main(['extract', ...args], cli)).resolves.toBe(0);
      return JSON.parse(cli.lines[0] as string).counted;
    };
    expect(await counted(['--config', file, '--log-group', '/a'])).toBe(false);
    expect(await counted(['--config', file, '--log-group', '/b'])).toBe(true);
    const unknown = io(line);
    await expect(main(['extract', '--config', file, '--log-group', '/c'], unknown)).resolves.toBe(2);
    expect(unknown.errors.join('\n')).toMatch(/--log-group \/c: not among the logGroups/);
    const missing = io(line);
    await expect(main(['extract', '--config', join(dir, 'nope.json')], missing)).resolves.toBe(2);
    expect(missing.errors.join('\n')).toMatch(/no such file/);
  });

  it('reads the config from cdk.json, under context, as docs/config.md keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-'));
    const file = join(dir, 'cdk.json');
    writeFileSync(file, JSON.stringify({ app: 'npx tsx bin/app.ts', context: { logCount: 'all' } }));
    const cli = io('"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"');
    await expect(main(['extract', '--config', file], cli)).resolves.toBe(0);
    expect(JSON.parse(cli.lines[0] as string).counted).toBe(true);
  });

  it('prints counts per status and provider with --summary, as a table or JSON', async () => {
    const input = [
      "openai.RateLimitError: Error code: 429 - {'error': {'message': 'slow down'}}",
      "openai.RateLimitError: Error code: 429 - {'error': {'message': 'slow down'}}",
      'INFO ok',
      '"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"',
    ].join('\n');
    const json = io(input);
    await expect(main(['extract', '--summary', '--json'], json)).resolves.toBe(0);
    expect(JSON.parse(json.lines[0] as string)).toEqual({
      count: 'default',
      lines: 4,
      errors: 3,
      counted: 2,
      byStatus: { 404: { errors: 1, counted: 0 }, 429: { errors: 2, counted: 2 } },
      byProvider: { unknown: 2, other: 1 },
    });
    const table = io(input);
    await expect(main(['extract', '--summary'], table)).resolves.toBe(0);
    expect(table.lines[0]).toBe('4 lines, 3 errors found, 2 counted (count mode "default")');
    expect(table.lines).toContain('429          2        2');
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
