import { subtypeOf } from '../classify';
import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { stableHash } from './stable-hash';
import type { IncidentRule } from './types';

/** What an event's scope is, before any state exists: enough to create the scope record. */
export type ScopeDescriptor =
  | {
      readonly kind: 'incident';
      readonly key: string;
      readonly rule: IncidentRule;
      readonly model?: string;
      readonly endpoint?: string;
    }
  | {
      readonly kind: 'account-issue';
      readonly key: string;
      readonly account: string;
      readonly status: number;
      readonly subtype?: 'account-status' | 'lora-load-failed';
    }
  | {
      readonly kind: 'counter';
      readonly key: string;
      readonly status: number;
      readonly model?: string;
      readonly account?: string;
      readonly app?: string;
    };

/** Account used when neither the event nor the token's app mapping names one (DESIGN §5). */
export const UNKNOWN_ACCOUNT = 'unknown';

const MAX_PART = 200;

/**
 * One key component: `#` (the separator), `%`, spaces and non-ASCII are percent-encoded so keys never
 * collide and stay ASCII; very long values keep a readable prefix plus a hash so the key stays < 1 KB.
 */
export function keyPart(value: string | undefined): string {
  if (value === undefined) return '';
  const encoded = value.replace(/[%#\s]|[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
  return encoded.length <= MAX_PART ? encoded : `${encoded.slice(0, MAX_PART - 20)}~${stableHash(value)}`;
}

/** The scope an event belongs to under `config`. Every event belongs to exactly one scope. */
export function describeScope(event: TriageEvent, config: PolicyConfig): ScopeDescriptor {
  const { status } = event;
  if (status >= 500 && status <= 599) {
    const rule: IncidentRule = config.incidents.immediateStatuses.includes(status)
      ? 'immediate'
      : 'persistent';
    if (event.model !== undefined) {
      return {
        kind: 'incident',
        key: `incident#${rule}#model#${keyPart(event.model)}`,
        rule,
        model: event.model,
      };
    }
    if (event.endpoint !== undefined) {
      const key = `incident#${rule}#endpoint#${keyPart(event.endpoint)}`;
      return { kind: 'incident', key, rule, endpoint: event.endpoint };
    }
    return { kind: 'incident', key: `incident#${rule}#unknown`, rule };
  }
  if (config.accountIssues.statuses.includes(status)) {
    const account = event.account ?? UNKNOWN_ACCOUNT;
    // A LoRA that failed to load is the account's model problem, not its billing status: its own group.
    const subtype = status === 412 ? subtypeOf(412, event.message) : undefined;
    const suffix = subtype === 'lora-load-failed' ? `#${subtype}` : '';
    return {
      kind: 'account-issue',
      key: `account#${keyPart(account)}#${status}${suffix}`,
      account,
      status,
      ...(subtype === 'account-status' || subtype === 'lora-load-failed' ? { subtype } : {}),
    };
  }
  const key = `count#${status}#${keyPart(event.model)}#${keyPart(event.account)}#${keyPart(event.app)}`;
  return {
    kind: 'counter',
    key,
    status,
    ...(event.model !== undefined ? { model: event.model } : {}),
    ...(event.account !== undefined ? { account: event.account } : {}),
    ...(event.app !== undefined ? { app: event.app } : {}),
  };
}
