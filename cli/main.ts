import * as ack from './commands/ack';
import * as classify from './commands/classify';
import * as extract from './commands/extract';
import * as incidents from './commands/incidents';
import * as scopes from './commands/scopes';
import * as send from './commands/send';
import * as silence from './commands/silence';
import * as simulate from './commands/simulate';
import * as tail from './commands/tail';
import * as token from './commands/token';
import { type CliIo, EXIT, processIo, UsageError } from './io';

interface Command {
  readonly usage: string;
  readonly run: (args: string[], io: CliIo) => number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  ack,
  classify,
  extract,
  incidents,
  scopes,
  send,
  silence,
  simulate,
  tail,
  token,
};

function help(io: CliIo): void {
  io.out('usage: triage <command> [options]\n\ncommands:');
  for (const command of Object.values(COMMANDS)) io.out(`  ${command.usage}`);
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`triage: unknown command "${name}"`);
    help(io);
    return EXIT.usage;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const usageLike =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`triage ${name}: ${(error as Error).message}`);
    return usageLike ? EXIT.usage : EXIT.failure;
  }
}
