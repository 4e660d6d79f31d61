import { parseArgs } from 'node:util';
import { printable } from '../../functions/core/safe-text';
import type { RuntimeSilence, SilenceState } from '../../functions/core/silences';
import { ApiClient } from '../api-client';
import { type CliIo, EXIT, UsageError } from '../io';
import { TARGET_ARGS } from '../stack-target';
import { formatTable } from '../table';

export const usage =
  'silence add (--model M | --status CODE | --account A | --app A | --environment E)... (--for 2h | --ends-at T) [--starts-at T] --comment TEXT [--by NAME] | silence list [--state active|pending|expired] | silence expire <id>   [--stack FILE | --outputs FILE] [--token T] [--json]   hold notifications back during a maintenance';

type ListedSilence = RuntimeSilence & { readonly state: SilenceState };

const HEADERS = ['ID', 'STATE', 'MATCHERS', 'STARTS', 'ENDS', 'BY', 'COMMENT'] as const;

function matchers(s: RuntimeSilence): string {
  const parts: string[] = [];
  for (const [name, values] of [
    ['status', s.status],
    ['model', s.model],
    ['account', s.account],
    ['app', s.app],
    ['environment', s.environment],
  ] as const) {
    if (values) parts.push(`${name}=${values.join(',')}`);
  }
  return printable(parts.join(' '));
}

const row = (s: ListedSilence) => [
  s.id,
  s.state,
  matchers(s),
  s.startsAt,
  s.endsAt,
  printable(s.createdBy),
  printable(s.comment),
];

function statuses(values: readonly string[] | undefined): number[] | undefined {
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((text) => {
      if (!/^\d{3}$/.test(text.trim()))
        throw new UsageError(`--status must be an HTTP status such as 503, got "${text}"`);
      return Number(text);
    });
}

const list = (values: readonly string[] | undefined) => (values?.length ? [...values] : undefined);

/** `triage silence add|list|expire`: run-time silences through the on-call API. */
export async function run(args: string[], io: CliIo, fetchFn?: typeof fetch): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...TARGET_ARGS,
      token: { type: 'string' },
      model: { type: 'string', multiple: true },
      status: { type: 'string', multiple: true },
      account: { type: 'string', multiple: true },
      app: { type: 'string', multiple: true },
      environment: { type: 'string', multiple: true },
      for: { type: 'string' },
      'starts-at': { type: 'string' },
      'ends-at': { type: 'string' },
      comment: { type: 'string' },
      by: { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, ...rest] = positionals;
  if (action !== 'add' && action !== 'list' && action !== 'expire') {
    throw new UsageError(`silence needs an action: add, list or expire${action ? ` (got "${action}")` : ''}`);
  }
  if (action === 'expire' ? rest.length !== 1 : rest.length > 0) {
    throw new UsageError(
      action === 'expire'
        ? 'silence expire needs exactly one silence id'
        : `unexpected argument "${rest[0]}"`,
    );
  }
  const api = new ApiClient({
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values.outputs ? { outputs: values.outputs } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  const print = (silence: ListedSilence) => {
    if (values.json) io.out(JSON.stringify(silence));
    else for (const line of formatTable(HEADERS, [row(silence)])) io.out(line);
  };

  if (action === 'add') {
    // The API validates and names every bad field; this only shapes the body.
    const body = {
      ...(statuses(values.status) ? { status: statuses(values.status) } : {}),
      ...(list(values.model) ? { model: list(values.model) } : {}),
      ...(list(values.account) ? { account: list(values.account) } : {}),
      ...(list(values.app) ? { app: list(values.app) } : {}),
      ...(list(values.environment) ? { environment: list(values.environment) } : {}),
      ...(values['starts-at'] ? { startsAt: values['starts-at'] } : {}),
      ...(values['ends-at'] ? { endsAt: values['ends-at'] } : {}),
      ...(values.for ? { duration: values.for } : {}),
      ...(values.comment !== undefined ? { comment: values.comment } : {}),
      ...(values.by ? { createdBy: values.by } : {}),
    };
    const { silence } = (await api.request('POST', '/v1/silences', body)) as { silence: ListedSilence };
    print(silence);
    return EXIT.ok;
  }
  if (action === 'expire') {
    const id = encodeURIComponent(rest[0] as string);
    const { silence } = (await api.request('DELETE', `/v1/silences/${id}`)) as { silence: ListedSilence };
    print(silence);
    return EXIT.ok;
  }
  const query = values.state ? `?state=${encodeURIComponent(values.state)}` : '';
  const { silences } = (await api.request('GET', `/v1/silences${query}`)) as { silences: ListedSilence[] };
  if (values.json) {
    for (const silence of silences) io.out(JSON.stringify(silence));
    return EXIT.ok;
  }
  if (silences.length === 0) {
    io.err('no silences');
    return EXIT.ok;
  }
  for (const line of formatTable(HEADERS, silences.map(row))) io.out(line);
  return EXIT.ok;
}
