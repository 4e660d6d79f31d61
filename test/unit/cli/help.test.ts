import { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';
import { buildProgram } from '../../../cli/program';
import packageJson from '../../../package.json';

const STACK = ['--stack <file>', '--outputs <file>'];
const API = [...STACK, '--token <token>'];

/** Every command and subcommand, with the options its help must list (besides -h, --help). */
const COMMANDS: Record<string, readonly string[]> = {
  classify: ['--json'],
  extract: ['--config <file>', '--log-group <name>', '--count <mode>', '--explain', '--summary', '--json'],
  simulate: ['--config <file>', '--start <iso>', '--full', '--format <format>', '--json'],
  send: [
    '--status <code>',
    '--model <model>',
    '--account <account>',
    '--app <app>',
    '--message <text>',
    '--request-id <id>',
    '--endpoint <path>',
    '--occurred-at <time>',
    '--count <n>',
    '--stdin',
    '--url <url>',
    ...API,
    '--json',
  ],
  tail: [
    '--account <account>',
    '--kind <kind>',
    '--severity <severity>',
    '--status <status>',
    '--model <model>',
    '--app <app>',
    '--max <n>',
    '--timeout <seconds>',
    ...STACK,
    '--json',
  ],
  incidents: ['--open', '--kind <kind>', '--account <account>', ...API, '--json'],
  ack: ['--by <name>', '--comment <text>', ...API, '--json'],
  'silence add': [
    '--model <model>',
    '--status <code>',
    '--account <account>',
    '--app <app>',
    '--environment <env>',
    '--for <duration>',
    '--ends-at <time>',
    '--starts-at <time>',
    '--comment <text>',
    '--by <name>',
    ...API,
    '--json',
  ],
  'silence list': ['--state <state>', ...API, '--json'],
  'silence expire': [...API, '--json'],
  'token create': ['--app <name>', '--account <id>', '--label <text>', '--scope <scope>', ...STACK, '--json'],
  'token list': [...STACK, '--json'],
  'token revoke': [...STACK, '--json'],
  scopes: ['--open', '--kind <kind>', '--key <prefix>', ...STACK, '--json'],
};

/** Options whose help line must state a default, and how. */
const DEFAULTS: readonly (readonly [string, string, string])[] = [
  ['send', '--stack <file>', '(default: .local/stack.json)'],
  ['send', '--count <n>', '(default: 1)'],
  ['send', '--token <token>', "(default: the local stack file's ingest token, else $TRIAGE_TOKEN"],
  ['incidents', '--token <token>', "(default: the local stack file's admin token, else $TRIAGE_TOKEN"],
  ['token create', '--scope <scope>', 'default: "ingest")'],
  ['silence add', '--starts-at <time>', '(default: now)'],
  ['simulate', '--config <file>', '(default: the deployed defaults)'],
  ['simulate', '--format <format>', '(default: the summary line)'],
  ['extract', '--count <mode>', '(default: --config\'s setting, else "default")'],
  ['tail', '--max <n>', '(default: no limit)'],
];

async function triage(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdin: Readable.from([]), out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await main(argv, io, { env: {}, fetch: jest.fn() });
  return { code, out: out.join('\n'), err: err.join('\n'), errLines: err.join('\n').split('\n') };
}

function leaves(command: Command, path: string[] = []): string[] {
  const own = command.commands.filter((c) => c.name() !== 'help');
  if (own.length === 0) return [path.join(' ')];
  return own.flatMap((c) => leaves(c, [...path, c.name()]));
}

/** The help's text for one option: its line and the wrapped lines under it. */
function optionHelp(help: string, flag: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${flag}  `) || l === `  ${flag}`);
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !/^ {6,}\S/.test(l));
  return [lines[start], ...rest.slice(0, end < 0 ? rest.length : end)].join(' ').replace(/\s+/g, ' ');
}

describe('triage help', () => {
  it('has exactly the commands listed here (a new one needs its row)', () => {
    const program = buildProgram(
      {
        io: { stdin: Readable.from([]), out: () => {}, err: () => {} },
        env: {},
        cwd: '.',
        fetch,
        now: () => new Date(),
      },
      () => {},
    );
    expect(leaves(program).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it.each(Object.entries(COMMANDS))(
    '`%s --help` shows usage, every option and examples',
    async (name, options) => {
      const path = name.split(' ');
      const { code, out } = await triage(...path, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: triage ${name} `));
      for (const flag of [...options, '-h, --help']) expect(optionHelp(out, flag)).not.toBe('');
      const examples = out.split('\nExamples:\n')[1]?.split('\n') ?? [];
      expect(examples.length).toBeGreaterThanOrEqual(1);
      for (const example of examples) expect(example).toMatch(new RegExp(`^ {2}\\$ triage ${name}( |$)`));

      expect(await triage('help', ...path)).toMatchObject({ code: 0, out });
      expect(await triage(...path, '-h')).toMatchObject({ code: 0, out });
    },
  );

  it.each(DEFAULTS)('`%s` states the default of %s', async (name, flag, text) => {
    const { out } = await triage(...name.split(' '), '--help');
    expect(optionHelp(out, flag)).toContain(text);
  });

  it('lists every command, the stack options, the environment and the exit codes', async () => {
    const { code, out } = await triage('--help');
    expect(code).toBe(0);
    for (const command of ['classify', 'extract', 'simulate', 'send', 'tail', 'incidents', 'ack', 'scopes'])
      expect(out).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    expect(out).toMatch(/^ {2}silence add\|list\|expire /m);
    expect(out).toMatch(/^ {2}token create\|list\|revoke /m);
    expect(out).toContain('TRIAGE_TOKEN');
    expect(out).toContain('AWS_REGION');
    expect(out).toContain('Exit codes: 0 ok, 1 failure while running, 2 bad usage or input.');
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('prints the version', async () => {
    expect(await triage('--version')).toMatchObject({ code: 0, out: packageJson.version });
    expect(await triage('-V')).toMatchObject({ code: 0, out: packageJson.version });
  });

  it('shows the help on stderr with exit 2 when no command is given', async () => {
    const { code, out, err } = await triage();
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^Usage: triage /);
  });
});

describe('triage usage errors', () => {
  it.each([
    [['clasify', '500'], "triage: unknown command 'clasify' (did you mean classify?); see `triage --help`"],
    [
      ['classify', '500', '--jsn'],
      "triage classify: unknown option '--jsn' (did you mean --json?); see `triage classify --help`",
    ],
    [
      ['token', 'crate'],
      "triage token: unknown command 'crate' (did you mean create?); see `triage token --help`",
    ],
    [['frobnicate'], "triage: unknown command 'frobnicate'; see `triage --help`"],
    [['help', 'clasify'], "triage: unknown command 'clasify' (did you mean classify?); see `triage --help`"],
    [
      ['extract', '--count', 'most'],
      "triage extract: option '--count <mode>' argument 'most' is invalid. Allowed choices are default, shown, llm, all; see `triage extract --help`",
    ],
    [['ack', 'inc-1'], "triage ack: required option '--by <name>' not specified; see `triage ack --help`"],
    [['classify'], "triage classify: missing required argument 'status'; see `triage classify --help`"],
    [
      ['classify', '999'],
      'triage classify: status must be an integer HTTP status from 100 to 599, got "999"',
    ],
  ])('%j exits 2 with one line: %s', async (argv, line) => {
    const { code, out, errLines } = await triage(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(errLines).toEqual([line]);
  });
});
