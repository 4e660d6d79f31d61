import * as z from 'zod/mini';
import type { NotificationIntent } from './policy/types';

/**
 * Where a notification's reader finds what to do: a runbook URL by status, else by route (the support or
 * the account topic), else a default (config `runbooks`, docs/config.md). Travels in the notification JSON
 * (`runbookUrl`) and the e-mail text.
 */
export interface Runbooks {
  readonly default?: string;
  readonly byStatus?: Readonly<Record<string, string>>;
  readonly byRoute?: Readonly<Partial<Record<NotificationIntent['topic'], string>>>;
}

export function runbookUrl(
  runbooks: Runbooks,
  intent: Pick<NotificationIntent, 'status' | 'topic'>,
): string | undefined {
  return runbooks.byStatus?.[String(intent.status)] ?? runbooks.byRoute?.[intent.topic] ?? runbooks.default;
}

const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** The `runbooks` config: validated at synth (lib/config.ts) and again where a handler reads it. */
export const RunbooksSchema = z.strictObject(
  {
    default: z.optional(url),
    byStatus: z.optional(
      z.record(z.string().check(z.regex(/^[1-5]\d\d$/, 'expected an HTTP status such as "500"')), url),
    ),
    byRoute: z.optional(z.strictObject({ support: z.optional(url), account: z.optional(url) })),
  },
  { error: 'expected {"default"?, "byStatus"?, "byRoute"?} of runbook URLs' },
);
