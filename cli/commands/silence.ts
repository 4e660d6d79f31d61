import { printable } from '../../functions/core/safe-text';
import type { RuntimeSilence, SilenceState } from '../../functions/core/silences';
import { ApiClient, type ApiOptions } from '../api-client';
import { type CliContext, type CliIo, EXIT, UsageError } from '../io';
import { formatTable } from '../table';

export interface SilenceOptions extends ApiOptions {
  readonly json?: boolean;
}

/** Matchers are repeatable; `--comment` is required (commander checks both). */
export interface SilenceAddOptions extends SilenceOptions {
  readonly model?: string[];
  readonly status?: string[];
  readonly account?: string[];
  readonly app?: string[];
  readonly environment?: string[];
  readonly for?: string;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly comment: string;
  readonly by?: string;
}

export interface SilenceListOptions extends SilenceOptions {
  readonly state?: SilenceState;
}

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

const nonEmpty = (values: readonly string[] | undefined) => (values?.length ? [...values] : undefined);

/** `triage silence add`: POST /v1/silences. The API validates and names every bad field; this shapes the body. */
export async function add(values: SilenceAddOptions, ctx: CliContext): Promise<number> {
  const api = new ApiClient(values, ctx);
  const body = {
    ...(statuses(values.status) ? { status: statuses(values.status) } : {}),
    ...(nonEmpty(values.model) ? { model: nonEmpty(values.model) } : {}),
    ...(nonEmpty(values.account) ? { account: nonEmpty(values.account) } : {}),
    ...(nonEmpty(values.app) ? { app: nonEmpty(values.app) } : {}),
    ...(nonEmpty(values.environment) ? { environment: nonEmpty(values.environment) } : {}),
    ...(values.startsAt ? { startsAt: values.startsAt } : {}),
    ...(values.endsAt ? { endsAt: values.endsAt } : {}),
    ...(values.for ? { duration: values.for } : {}),
    comment: values.comment,
    ...(values.by ? { createdBy: values.by } : {}),
  };
  const { silence } = (await api.request('POST', '/v1/silences', body)) as { silence: ListedSilence };
  print(silence, values, ctx.io);
  return EXIT.ok;
}

/** `triage silence expire <id>`: DELETE /v1/silences/{id}. */
export async function expire(id: string, values: SilenceOptions, ctx: CliContext): Promise<number> {
  const api = new ApiClient(values, ctx);
  const path = `/v1/silences/${encodeURIComponent(id)}`;
  const { silence } = (await api.request('DELETE', path)) as { silence: ListedSilence };
  print(silence, values, ctx.io);
  return EXIT.ok;
}

/** `triage silence list`: GET /v1/silences. */
export async function list(values: SilenceListOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const api = new ApiClient(values, ctx);
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

function print(silence: ListedSilence, values: SilenceOptions, io: CliIo): void {
  if (values.json) io.out(JSON.stringify(silence));
  else for (const line of formatTable(HEADERS, [row(silence)])) io.out(line);
}
