import { parseArgs } from 'node:util';
import type { IncidentView } from '../../functions/core/incidents';
import { printable } from '../../functions/core/safe-text';
import { ApiClient } from '../api-client';
import { type CliIo, EXIT, UsageError } from '../io';
import { TARGET_ARGS } from '../stack-target';

export const usage =
  'ack <subject-id> --by NAME [--comment TEXT]   [--stack FILE | --outputs FILE] [--token T] [--json]   acknowledge an incident or account issue: no more reminders until it resolves';

/** `triage ack`: POST /v1/incidents/{subjectId}/ack. */
export async function run(args: string[], io: CliIo, fetchFn?: typeof fetch): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...TARGET_ARGS,
      token: { type: 'string' },
      by: { type: 'string' },
      comment: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      'ack needs exactly one subject id, as shown by `triage incidents` (inc-… or acct-…)',
    );
  }
  if (!values.by) throw new UsageError('ack needs --by NAME (who is on it)');
  const api = new ApiClient({
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values.outputs ? { outputs: values.outputs } : {}),
    ...(values.token ? { token: values.token } : {}),
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  const subjectId = positionals[0] as string;
  const { incident } = (await api.request('POST', `/v1/incidents/${encodeURIComponent(subjectId)}/ack`, {
    by: values.by,
    ...(values.comment !== undefined ? { comment: values.comment } : {}),
  })) as { incident: IncidentView };
  if (values.json) io.out(JSON.stringify(incident));
  else
    io.out(
      `acknowledged ${incident.subjectId} (${incident.kind} ${incident.status}, ${incident.count} errors) by ${printable(incident.acknowledgedBy ?? values.by)}: no reminders until it resolves`,
    );
  return EXIT.ok;
}
