import type { IncidentView } from '../../functions/core/incidents';
import { printable } from '../../functions/core/safe-text';
import { ApiClient, type ApiOptions } from '../api-client';
import { type CliContext, EXIT, UsageError } from '../io';

export interface AckOptions extends ApiOptions {
  /** Required (commander checks it is given). */
  readonly by: string;
  readonly comment?: string;
  readonly json?: boolean;
}

/** `triage ack <subject-id>`: POST /v1/incidents/{subjectId}/ack. */
export async function run(subjectId: string, values: AckOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (values.by.trim() === '') throw new UsageError('--by must name who is on it');
  const api = new ApiClient(values, ctx);
  const { incident } = (await api.request('POST', `/v1/incidents/${encodeURIComponent(subjectId)}/ack`, {
    by: values.by,
    ...(values.comment !== undefined ? { comment: values.comment } : {}),
  })) as { incident: IncidentView };
  if (values.json) io.out(JSON.stringify(incident));
  else
    io.out(
      `acknowledged ${incident.subjectId} (${incident.kind} ${incident.status}, ${incident.count} error${incident.count === 1 ? '' : 's'}) by ${printable(incident.acknowledgedBy ?? values.by)}: no reminders until it resolves`,
    );
  return EXIT.ok;
}
