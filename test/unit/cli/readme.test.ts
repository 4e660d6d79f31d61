import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { captureIo } from '../../helpers/cli-dynalite';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

/**
 * The README's CLI examples: every `npm run [-s] triage -- …` (continued lines joined), in code blocks,
 * inline code or a `$(…)`, up to the end of its line, code span, pipe or substitution.
 */
function examples(): string[] {
  const joined = README.replace(/\\\n\s*/g, '');
  return [...joined.matchAll(/npm run (?:-s )?triage -- ([^`\n|)]+)/g)]
    .map((m) => (m[1] ?? '').trim())
    .filter((example) => example !== '<command>');
}

/** Words as a shell splits them (quotes), without the redirection, the comment and `[optional]` brackets. */
function argv(example: string): string[] {
  const words = [...example.replace(/\s+#.*$/, '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
  const redirect = words.indexOf('<');
  return (redirect < 0 ? words : words.slice(0, redirect)).map((word) => word.replace(/^\[|\]$/g, ''));
}

/**
 * Each example is a valid command line: run with no stack, no files and no network, it may fail for want of
 * them (a one-line error naming what is missing), never as a usage error of the command line itself
 * (unknown command or option, missing argument, bad choice: the lines that end in "see `triage … --help`").
 */
describe('the README’s command-line examples', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readme-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are found', () => {
    expect(examples().length).toBeGreaterThanOrEqual(18);
  });

  it.each(examples())('`triage %s` parses', async (example) => {
    const io = captureIo();
    const fetch = jest.fn(async () => {
      throw new TypeError('fetch failed');
    });
    await main(argv(example), io, { cwd: dir, env: {}, fetch });
    expect(io.errors.filter((line) => /; see `triage[^`]* --help`$/.test(line))).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });
});
