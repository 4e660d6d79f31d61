import { subtypeOf } from '../classify';
import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import type { AccountIssueScope, CounterScope, IncidentScope } from './scope-state';
import { stableHash } from './stable-hash';

/**
 * Which scope an event counts in (docs/design.md, "Scopes"): every event belongs to exactly one. The
 * descriptor holds what a new record of that scope starts from.
 */
export type ScopeDescriptor =
  | Readonly<Pick<IncidentScope, 'kind' | 'key' | 'rule' | 'model' | 'endpoint' | 'subtype'>>
  | Readonly<Pick<AccountIssueScope, 'kind' | 'key' | 'account' | 'status' | 'subtype'>>
  | Readonly<Pick<CounterScope, 'kind' | 'key' | 'status'>>;

/** Account used when neither the event nor the token's app mapping names one. */
export const UNKNOWN_ACCOUNT = 'unknown';

const MAX_PART = 200;

/**
 * One key component: `#` (the separator), `%`, spaces and non-ASCII are percent-encoded (never throwing) so keys never
 * collide and stay ASCII; very long values keep a readable prefix plus a hash so the key stays < 1 KB.
 */
export function keyPart(value: string | undefined): string {
  if (value === undefined) return '';
  // A lone surrogate (possible in a JS string, not in UTF-8) is encoded as U+FFFD, as the ingest
  // boundary replaces it: encodeURIComponent would throw on it.
  const encoded = value.replace(/[%#\s]|[^\x21-\x7e]/gu, (c) => encodeURIComponent(c.toWellFormed()));
  return encoded.length <= MAX_PART ? encoded : `${encoded.slice(0, MAX_PART - 20)}~${stableHash(value)}`;
}

/**
 * The scope of an event under `config`: a 5xx is an incident scope (its rule, then its model, else its
 * endpoint); a 412 whose message says a LoRA failed to load is a deployment problem the billing owner cannot
 * fix, so an immediate support incident of its own per model (else endpoint); a status of
 * `accountIssues.statuses` an account issue (account and status); anything else counts in one counter per
 * status.
 */
export function describeScope(event: TriageEvent, config: PolicyConfig): ScopeDescriptor {
  const { status, model, endpoint } = event;
  if (status === 412 && subtypeOf(status, event.message) === 'lora-load-failed') {
    const base = { kind: 'incident', rule: 'immediate', subtype: 'lora-load-failed' } as const;
    if (model !== undefined)
      return { ...base, key: `incident#lora-load-failed#model#${keyPart(model)}`, model };
    if (endpoint !== undefined) {
      return { ...base, key: `incident#lora-load-failed#endpoint#${keyPart(endpoint)}`, endpoint };
    }
    return { ...base, key: 'incident#lora-load-failed#unknown' };
  }
  if (status >= 500 && status <= 599) {
    const rule = config.incidents.immediateStatuses.includes(status) ? 'immediate' : 'persistent';
    if (model !== undefined)
      return { kind: 'incident', key: `incident#${rule}#model#${keyPart(model)}`, rule, model };
    if (endpoint !== undefined) {
      return { kind: 'incident', key: `incident#${rule}#endpoint#${keyPart(endpoint)}`, rule, endpoint };
    }
    return { kind: 'incident', key: `incident#${rule}#unknown`, rule };
  }
  if (config.accountIssues.statuses.includes(status)) {
    const account = event.account ?? UNKNOWN_ACCOUNT;
    if (status === 412 && subtypeOf(status, event.message) === 'account-status') {
      return {
        kind: 'account-issue',
        key: `account#${keyPart(account)}#${status}`,
        account,
        status,
        subtype: 'account-status',
      };
    }
    return { kind: 'account-issue', key: `account#${keyPart(account)}#${status}`, account, status };
  }
  return { kind: 'counter', key: `count#${status}`, status };
}

/**
 * `describeScope` for the events of one batch: they fall in a few dozen scopes, so each scope is described
 * once and found again by what names it within its status: a 5xx's model (else its endpoint, kept apart as
 * the two may share a name), an account issue's account, nothing for a counter. A 412 is described every
 * time: its message may put it in a group of its own.
 */
export function scopeDescriber(config: PolicyConfig): (event: TriageEvent) => ScopeDescriptor {
  const byName = new Map<number, Map<string | undefined, ScopeDescriptor>>();
  const byEndpoint = new Map<number, Map<string | undefined, ScopeDescriptor>>();
  return (event) => {
    const { status, model } = event;
    if (status === 412) return describeScope(event, config);
    const incident = status >= 500 && status <= 599;
    const named = incident && model === undefined ? byEndpoint : byName;
    let scopes = named.get(status);
    if (!scopes) {
      scopes = new Map();
      named.set(status, scopes);
    }
    const name = incident
      ? (model ?? event.endpoint)
      : config.accountIssues.statuses.includes(status)
        ? event.account
        : undefined;
    const seen = scopes.get(name);
    if (seen) return seen;
    const scope = describeScope(event, config);
    scopes.set(name, scope);
    return scope;
  };
}
