import { Argument, Command, Option } from 'commander';
import { COUNT_MODES } from '../functions/core/extract/attribution';
import { DEFAULT_TOKEN_SCOPE, TOKEN_SCOPES } from '../functions/core/token-scope';
import packageJson from '../package.json';
import type { AckOptions } from './commands/ack';
import type { ClassifyOptions } from './commands/classify';
import type { ExtractOptions } from './commands/extract';
import type { IncidentsOptions } from './commands/incidents';
import type { ScopesOptions } from './commands/scopes';
import type { SendOptions } from './commands/send';
import type { SilenceAddOptions, SilenceListOptions, SilenceOptions } from './commands/silence';
import type { SimulateFormat, SimulateOptions } from './commands/simulate';
import type { TailFlags } from './commands/tail';
import type { TokenCreateOptions, TokenOptions } from './commands/token';
import type { CliContext } from './io';
import { DEFAULT_STACK_FILE } from './stack-target';

/**
 * The whole command line in one place: every command, argument and option with its default, and examples.
 * An option is one line here; the command's module (loaded only when it runs, so `triage classify` does
 * not load the AWS SDK) receives it parsed. commander makes the help, `--version`, the usage errors and
 * their "did you mean".
 */

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `simulate --format` (each one rendered by cli/commands/simulate.ts). */
const SIMULATE_FORMATS = ['json', 'email', 'chat', 'pagerduty'] as const satisfies readonly SimulateFormat[];

/**
 * A commander Command with this CLI's shared declarations as methods, so that each command reads top to
 * bottom: its own options, then the conventions it follows, its examples and its action.
 */
class TriageCommand extends Command {
  override createCommand(name?: string): TriageCommand {
    return new TriageCommand(name);
  }

  /** `--stack` / `--outputs`: the same on every command that talks to a stack. */
  stackTarget(): this {
    return this.addOption(
      new Option(
        '--stack <file>',
        `local stack file written by \`npm start\` (default: ${DEFAULT_STACK_FILE})`,
      ).conflicts('outputs'),
    ).option('--outputs <file>', 'a deployed stack: the file `cdk deploy --outputs-file` wrote');
  }

  /** `--token`: the same on every command that calls the stack's HTTP API. */
  apiToken(which: 'token' | 'adminToken'): this {
    const local = which === 'token' ? 'ingest token' : 'admin token';
    return this.option(
      '--token <token>',
      `API token (default: the local stack file's ${local}, else $TRIAGE_TOKEN; needed for a deployed stack)`,
    );
  }

  json(what = 'one JSON object per line instead of a table'): this {
    return this.option('--json', what);
  }

  examples(...lines: string[]): this {
    return this.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`);
  }
}

const ENVIRONMENT = `
Stack target (commands that talk to a stack):
  --stack FILE     the local stack (default: ${DEFAULT_STACK_FILE}, by \`npm start\`)
  --outputs FILE   a deployed stack: the file \`cdk deploy --outputs-file\` writes

Environment:
  TRIAGE_TOKEN     API token for send, incidents, ack and silence when --token
                   is not given (a local stack file's own token comes first)
  AWS_REGION       region of a deployed stack whose outputs name none
  AWS_PROFILE ...  AWS credentials for a deployed stack (token, scopes, tail):
                   the usual chain (profile, SSO, AWS_ACCESS_KEY_ID...)

Exit codes: 0 ok, 1 failure while running, 2 bad usage or input.
\`triage help <command>\` or \`triage <command> --help\`: its options and examples.`;

/** A command as the command list shows it: `classify <status> [message...]`, `token create|list|revoke`. */
function subcommandTerm(command: Command): string {
  if (command.commands.length > 0)
    return `${command.name()} ${command.commands.map((c) => c.name()).join('|')}`;
  const args = command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [command.name(), ...args].join(' ');
}

/** The program for one run: a fresh tree each time (commander keeps parsed state on it). */
export function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new TriageCommand('triage')
    .description(
      'Triage Fireworks AI API errors: classify them, read logs, replay the policy, talk to a stack.',
    )
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', ENVIRONMENT)
    .configureHelp({ subcommandTerm });
  const run = (code: number | Promise<number>) => Promise.resolve(code).then(setExit);

  program
    .command('classify')
    .summary('what a status means and how this service handles it')
    .description(
      'What a Fireworks API status means per the documented table (possible issue, resolution) and how this service handles it (category, severity, retryable, route).',
    )
    .argument('<status>', 'HTTP status, 100-599')
    .argument('[message...]', 'the error message: tells 404 and 412 subtypes apart')
    .json('print one JSON object (status, name, possibleIssue, resolution, category, severity, ...)')
    .examples('triage classify 503', "triage classify 412 'LoRA adapter failed to load' --json")
    .action(async (status: string, message: string[], options: ClassifyOptions) => {
      const { run: classify } = await import('./commands/classify');
      await run(classify(status, message, options, ctx));
    });

  program
    .command('extract')
    .summary('log lines on stdin -> the error each shows, and whether it would count')
    .description(
      'Reads log lines on stdin and prints one JSON line per input line: the error it shows (status, provider, ...) with `counted` (whether the deployed stack would count it), or null.',
    )
    .option(
      '--config <file>',
      "the deployment config, or cdk.json: its logCount (or the group's count) decides",
    )
    .option('--log-group <name>', "with --config: use this log group's own count mode")
    .addOption(
      new Option(
        '--count <mode>',
        'which errors count (default: --config\'s setting, else "default")',
      ).choices(COUNT_MODES),
    )
    .option('--explain', 'add the evidence (and the LLM verdict) to each line')
    .option('--summary', 'print only counts per status and provider')
    .json('with --summary: the counts as one JSON object (the lines are always JSON)')
    .examples(
      'triage extract --summary < app.log',
      'triage extract --explain --count llm < app.log',
      'triage extract --config cdk.context.json --log-group /aws/lambda/checkout < app.log',
    )
    .action(async (options: ExtractOptions) => {
      const { run: extract } = await import('./commands/extract');
      await run(extract(options, ctx));
    });

  program
    .command('simulate')
    .summary('events on stdin -> the notifications the policy would send')
    .description(
      "Replays canonical events (JSON lines on stdin, any order) through the policy engine in event time and prints the notifications it would send, one JSON line each. The clock moves a minute at a time, as the deployed sweep does: each minute's events are applied at its end, so a 500 at 15:00:10 opens its incident at 15:01:00 here (deployed, within seconds).",
    )
    .option(
      '--config <file>',
      'the deployment config, or cdk.json (its "policy", "runbooks" and "pagerDuty" forwarding), or a policy alone (default: the deployed defaults)',
    )
    .option(
      '--start <iso>',
      'event time of leading events without occurredAt (default: the first time an event gives)',
    )
    .option('--full', 'print each notification whole, not the summary line')
    .addOption(
      new Option(
        '--format <format>',
        'each notification as that channel gets it: the published JSON, the e-mail, the Chatbot message (Slack, Teams), the PagerDuty event (default: the summary line)',
      ).choices(SIMULATE_FORMATS),
    )
    .addOption(
      new Option('--json', 'one JSON object per notification (the default output)').conflicts('format'),
    )
    .examples(
      'triage simulate < last-week.jsonl',
      'triage simulate --config my-policy.json --full < last-week.jsonl',
      'triage simulate --format email < last-week.jsonl',
    )
    .action(async (options: SimulateOptions) => {
      const { run: simulate } = await import('./commands/simulate');
      await run(simulate(options, ctx));
    });

  program
    .command('send')
    .summary('post error events to the local or a deployed webhook')
    .description(
      'Posts an event built from the flags (or events from stdin) to the webhook, after checking them as the webhook would. Prints the accepted ids.',
    )
    .option('--status <code>', 'HTTP status Fireworks answered (required without --stdin)')
    .option('--model <model>', 'e.g. accounts/fireworks/models/llama-v3p1-8b-instruct')
    .option('--account <account>', "your Fireworks account (default: the token's account)")
    .option('--app <app>', "the app that saw the error (default: the token's app)")
    .option('--message <text>', 'the error message')
    .option('--request-id <id>', "Fireworks' x-request-id")
    .option('--endpoint <path>', 'e.g. /inference/v1/chat/completions')
    .option('--occurred-at <time>', 'ISO-8601 time or epoch ms (default: when the webhook receives it)')
    .option('--count <n>', 'send this many copies in one request, 1-500 (default: 1)')
    .option('--stdin', 'send the events on stdin instead: a JSON body, or JSON lines (split into requests)')
    .stackTarget()
    .option('--url <url>', 'webhook URL, instead of the one in the stack file')
    .apiToken('token')
    .json("print the webhook's JSON answer")
    .examples(
      'triage send --status 500 --model accounts/fireworks/models/llama-v3p1-8b-instruct',
      'triage send --stdin --outputs cdk-outputs.json --token "$TRIAGE_TOKEN" < events.jsonl',
    )
    .action(async (options: SendOptions) => {
      const { run: send } = await import('./commands/send');
      await run(send(options, ctx));
    });

  program
    .command('tail')
    .summary('print notifications as they arrive on a topic')
    .description(
      'Subscribes a temporary queue to a topic (with an SNS filter policy from the filters) and prints notifications as they arrive; removes the queue and subscription on exit. Values of one filter are alternatives; different filters must all match.',
    )
    .addArgument(
      new Argument('<topic>', 'support (incidents) or account (account issues)').choices([
        'support',
        'account',
      ]),
    )
    .option('--account <account>', 'only this account (repeatable)', collect)
    .option('--kind <kind>', 'only this kind, e.g. incident.opened (repeatable)', collect)
    .option(
      '--severity <severity>',
      'only this severity: critical, high, warning, info (repeatable)',
      collect,
    )
    .option('--status <status>', 'only this status, or a class such as 5xx (repeatable)', collect)
    .option('--model <model>', 'only this model (repeatable)', collect)
    .option('--app <app>', 'only this app (repeatable)', collect)
    .option('--max <n>', 'stop after n notifications (default: no limit)')
    .option(
      '--timeout <seconds>',
      'stop after this long; exit 1 if --max was not reached (default: none, Ctrl-C stops)',
    )
    .json('print each notification as one JSON line (body, subject and attributes)')
    .stackTarget()
    .examples('triage tail support', 'triage tail account --account acme --status 402 --json')
    .action(async (topic: string, options: TailFlags) => {
      const { run: tail } = await import('./commands/tail');
      await run(tail(topic, options, ctx));
    });

  program
    .command('incidents')
    .summary('what is open, and recently resolved')
    .description(
      'Lists support incidents and account issues (GET /v1/incidents, every page), most recently active first; resolved ones are kept 90 days.',
    )
    .option('--open', 'only the open ones')
    .addOption(
      new Option('--kind <kind>', 'only incidents or only account issues').choices([
        'incident',
        'account-issue',
      ]),
    )
    .option('--account <account>', 'only this account')
    .stackTarget()
    .apiToken('adminToken')
    .json()
    .examples('triage incidents --open', 'triage incidents --kind account-issue --account acme --json')
    .action(async (options: IncidentsOptions) => {
      const { run: incidents } = await import('./commands/incidents');
      await run(incidents(options, ctx));
    });

  program
    .command('ack')
    .summary('acknowledge an incident or account issue: no more reminders')
    .description(
      'Acknowledges an incident or account issue (POST /v1/incidents/{id}/ack, admin token): no reminders until it resolves; one *.acknowledged notification.',
    )
    .argument('<subject-id>', 'as `triage incidents` shows it: inc-... or acct-...')
    .requiredOption('--by <name>', 'who is on it (required)')
    .option('--comment <text>', 'a note published with the acknowledgement')
    .stackTarget()
    .apiToken('adminToken')
    .json('print the incident as one JSON object')
    .examples(
      'triage ack inc-213cuv2afwn-mww92lc0 --by alice',
      "triage ack acct-6xxvim2q4n-mxcelpyk --by bob --comment 'card updated' --outputs cdk-outputs.json",
    )
    .action(async (subjectId: string, options: AckOptions) => {
      const { run: ack } = await import('./commands/ack');
      await run(ack(subjectId, options, ctx));
    });

  const silence = program
    .command('silence')
    .summary('hold notifications back during a maintenance')
    .description(
      'Run-time silences through /v1/silences (an admin token to change them, a read token to list).',
    );
  silence
    .command('add')
    .summary('create a silence')
    .description(
      'Creates a silence: notifications of what it matches are held back (never the counting) until it ends. At least one matcher; each is repeatable, and for every matcher given, every value a subject concerns must be listed.',
    )
    .option('--model <model>', 'match this model (repeatable)', collect)
    .option('--status <code>', 'match this status, e.g. 503 or 500,503 (repeatable)', collect)
    .option('--account <account>', 'match this account (repeatable)', collect)
    .option('--app <app>', 'match this app (repeatable)', collect)
    .option('--environment <env>', 'match this environment (repeatable)', collect)
    .option('--for <duration>', 'how long: 90m, 2h, 1d (this or --ends-at)')
    .option('--ends-at <time>', 'ISO-8601 end time (this or --for)')
    .option('--starts-at <time>', 'ISO-8601 start time (default: now)')
    .requiredOption('--comment <text>', 'why (required)')
    .option('--by <name>', "who (default: the token's app)")
    .stackTarget()
    .apiToken('adminToken')
    .json('print the silence as one JSON object')
    .examples(
      "triage silence add --model accounts/fireworks/models/llama-v3p1-8b-instruct --status 500 --for 2h --comment 'Fireworks maintenance'",
      "triage silence add --account acme --ends-at 2026-11-26T06:00:00Z --comment 'card being replaced' --by alice",
    )
    .action(async (options: SilenceAddOptions) => {
      const { add } = await import('./commands/silence');
      await run(add(options, ctx));
    });
  silence
    .command('list')
    .summary('list silences')
    .description('Lists silences: active, pending and those expired in the last 30 days.')
    .addOption(
      new Option('--state <state>', 'only silences in this state').choices(['active', 'pending', 'expired']),
    )
    .stackTarget()
    .apiToken('adminToken')
    .json()
    .examples('triage silence list', 'triage silence list --state active --json')
    .action(async (options: SilenceListOptions) => {
      const { list } = await import('./commands/silence');
      await run(list(options, ctx));
    });
  silence
    .command('expire')
    .summary('end a silence now')
    .description('Expires a silence now; what it held and still holds is sent at the next sweep.')
    .argument('<id>', 'as `triage silence list` shows it: sil-...')
    .stackTarget()
    .apiToken('adminToken')
    .json('print the silence as one JSON object')
    .examples('triage silence expire sil-b9b321e1-a1e0-4de5-944b-7d6efc97500d')
    .action(async (id: string, options: SilenceOptions) => {
      const { expire } = await import('./commands/silence');
      await run(expire(id, options, ctx));
    });

  const token = program
    .command('token')
    .summary('manage API tokens')
    .description(
      "API tokens in the stack's state table (AWS credentials for a deployed stack): several valid at once for rotation, only their sha256 hashes stored.",
    );
  token
    .command('create')
    .summary('create a token (shown once)')
    .description('Creates a token and prints it once: only its hash is kept.')
    .requiredOption('--app <name>', 'the app whose events the token sends (required)')
    .option('--account <id>', 'the Fireworks account of its events, when they name none')
    .option('--label <text>', 'a note, e.g. who holds it')
    .addOption(
      new Option(
        '--scope <scope>',
        'what the token may do: ingest (POST /v1/events), read (GET routes), admin (every route)',
      )
        .choices(TOKEN_SCOPES)
        .default(DEFAULT_TOKEN_SCOPE),
    )
    .stackTarget()
    .json('print the token and its record as one JSON object')
    .examples(
      'triage token create --app checkout --account acme',
      'triage token create --app oncall --scope admin --outputs cdk-outputs.json',
    )
    .action(async (options: TokenCreateOptions) => {
      const { create } = await import('./commands/token');
      await run(create(options, ctx));
    });
  token
    .command('list')
    .summary('list tokens')
    .description('Lists the tokens (never the secrets).')
    .stackTarget()
    .json()
    .examples('triage token list', 'triage token list --outputs cdk-outputs.json --json')
    .action(async (options: TokenOptions) => {
      const { list } = await import('./commands/token');
      await run(list(options, ctx));
    });
  token
    .command('revoke')
    .summary('revoke a token')
    .description('Revokes a token at once.')
    .argument('<id>', 'as `triage token list` shows it')
    .stackTarget()
    .json('print the revoked record as one JSON object')
    .examples('triage token revoke f290f1762097')
    .action(async (id: string, options: TokenOptions) => {
      const { revoke } = await import('./commands/token');
      await run(revoke(id, options, ctx));
    });

  program
    .command('scopes')
    .summary('the state: incidents, account groups and counters, decoded')
    .description(
      "Reads the scope records of the stack's state table (a Scan, AWS credentials for a deployed stack), decoded, sorted by key: total, what is open and since when, next due time.",
    )
    .option('--open', 'only scopes with an open incident or account issue')
    .addOption(
      new Option('--kind <kind>', 'only this kind of scope').choices([
        'incident',
        'account-issue',
        'counter',
      ]),
    )
    .option('--key <prefix>', 'only keys starting with this, e.g. account#')
    .stackTarget()
    .json()
    .examples('triage scopes --open', 'triage scopes --kind counter --json')
    .action(async (options: ScopesOptions) => {
      const { run: scopes } = await import('./commands/scopes');
      await run(scopes(options, ctx));
    });

  return program;
}
