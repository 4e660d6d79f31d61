import { type Command, CommanderError } from 'commander';
import { type CliContext, type CliIo, EXIT, processIo, UsageError } from './io';
import { buildProgram } from './program';

export type CliDependencies = Partial<Omit<CliContext, 'io'>>;

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** commander's `error: unknown option '--jsn'\n(Did you mean --json?)` as one line. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}

/**
 * Every output and usage error goes through `io`, and nothing exits the process: a usage error is one line
 * on stderr and exit 2, help and `--version` exit 0, a failure while running exit 1.
 */
function routeOutput(command: Command, io: CliIo): void {
  const name = pathOf(command);
  command.exitOverride().configureOutput({
    writeOut: (text) => io.out(text.replace(/\n$/, '')),
    writeErr: (text) => io.err(text.replace(/\n$/, '')),
    outputError: (text) => io.err(`${name}: ${oneLine(text)}; see \`${name} --help\``),
  });
  for (const sub of command.commands) routeOutput(sub, io);
}

export async function main(
  argv: string[],
  io: CliIo = processIo,
  deps: CliDependencies = {},
): Promise<number> {
  const ctx: CliContext = {
    io,
    env: deps.env ?? process.env,
    cwd: deps.cwd ?? process.cwd(),
    fetch: deps.fetch ?? globalThis.fetch,
    now: deps.now ?? (() => new Date()),
    ...(deps.stop ? { stop: deps.stop } : {}),
  };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  routeOutput(program, io);
  let running = program.name();
  program.hook('preAction', (_program, action) => {
    running = pathOf(action);
  });
  // `help silence add` as `silence add --help` (commander's help command looks one level down only);
  // `help clasify` as `clasify`, which is the one-line unknown-command error with its suggestion.
  const [first, topic, ...rest] = argv;
  const known = program.commands.some((c) => c.name() === topic);
  const args =
    first === 'help' && topic !== undefined ? (known ? [topic, ...rest, '--help'] : [topic]) : argv;
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version asked for; anything else (no command given, unknown option...) is a usage error.
      const asked =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        (error.code === 'commander.help' && error.exitCode === 0);
      return asked ? EXIT.ok : EXIT.usage;
    }
    io.err(`${running}: ${(error as Error).message}`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failure;
  }
}
