import type { PolicyConfig, Silence } from './config';
import { LIMITS } from './scope-state';

/** What a notification is about, for matching silences against it. */
export interface SilenceFacts {
  readonly statuses: readonly number[];
  readonly models: readonly string[];
  readonly accounts: readonly string[];
  readonly apps: readonly string[];
  readonly environments: readonly string[];
}

/**
 * A silence covers a notification when, for every field it names, every value the notification concerns
 * is in the silence's list — a silence for app `batch` must not hide an incident that also hits `checkout`.
 * A field the notification has no value for (or too many to know them all) is not covered.
 */
function covers(
  listed: readonly (string | number)[] | undefined,
  values: readonly (string | number)[],
): boolean {
  if (listed === undefined) return true;
  if (values.length === 0 || values.length >= LIMITS.distinctValues) return false;
  return values.every((value) => listed.includes(value));
}

/** The active silence covering `facts` at `now` that ends last (so a held notice waits for all of them). */
export function activeSilence(facts: SilenceFacts, now: number, config: PolicyConfig): Silence | undefined {
  let found: Silence | undefined;
  for (const silence of config.silences) {
    if (now < silence.startsAt || now >= silence.endsAt) continue;
    if (
      covers(silence.statuses, facts.statuses) &&
      covers(silence.models, facts.models) &&
      covers(silence.accounts, facts.accounts) &&
      covers(silence.apps, facts.apps) &&
      covers(silence.environments, facts.environments) &&
      (found === undefined || silence.endsAt > found.endsAt)
    ) {
      found = silence;
    }
  }
  return found;
}
