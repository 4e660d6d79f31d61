import { subtypeOf } from '../classify';
import type { TriageEvent } from '../event';
import type { PolicyConfig } from './config';
import { stableHash } from './stable-hash';
import type { IncidentRule } from './types';

/**
 * What an event's scope is, before any state exists: enough to create the scope record. `slot` numbers
 * the descriptors of one cache (per config, see below) from 0: the batch split groups events by it.
 */
export type ScopeDescriptor =
  | {
      readonly kind: 'incident';
      readonly slot: number;
      readonly key: string;
      readonly rule: IncidentRule;
      readonly model?: string;
      readonly endpoint?: string;
    }
  | {
      readonly kind: 'account-issue';
      readonly slot: number;
      readonly key: string;
      readonly account: string;
      readonly status: number;
      readonly subtype?: 'account-status' | 'lora-load-failed';
    }
  | {
      readonly kind: 'counter';
      readonly slot: number;
      readonly key: string;
      readonly status: number;
    };

/** Account used when neither the event nor the token's app mapping names one (DESIGN §5). */
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

/** Descriptors already built, per policy config: most events of a batch share a handful of scopes. */
interface DescriptorCache {
  readonly immediate: ReadonlySet<number>;
  readonly accountStatuses: ReadonlySet<number>;
  /** By rule, then model (or endpoint): incident scopes. */
  readonly byModel: Record<IncidentRule, Map<string, ScopeDescriptor>>;
  readonly byEndpoint: Record<IncidentRule, Map<string, ScopeDescriptor>>;
  /** Neither model nor endpoint. */
  readonly unknown: Record<IncidentRule, ScopeDescriptor>;
  /** By account, then status (negative for a 412 LoRA load failure): account-issue scopes. */
  readonly byAccount: Map<string, Map<number, ScopeDescriptor>>;
  readonly counters: Map<number, ScopeDescriptor>;
  /** Per HTTP status (index status - 100): which kind of scope it opens (see KIND), and its counter. */
  readonly kinds: Int8Array;
  readonly counterAt: (ScopeDescriptor | undefined)[];
  size: number;
}

/** What a status's events belong to under a config: `DescriptorCache.kinds`. */
const KIND = { counter: 1, immediate: 2, persistent: 3, account: 4 } as const;
const MIN_STATUS = 100;
const STATUSES = 500;

/** The kind of scope a status's events belong to (5xx incidents first, then account issues, else counters). */
function kindOf(status: number, immediate: ReadonlySet<number>, account: ReadonlySet<number>): number {
  if (status >= 500 && status <= 599) return immediate.has(status) ? KIND.immediate : KIND.persistent;
  return account.has(status) ? KIND.account : KIND.counter;
}

function kindsOf(immediate: ReadonlySet<number>, account: ReadonlySet<number>): Int8Array {
  const kinds = new Int8Array(STATUSES);
  for (let slot = 0; slot < STATUSES; slot++) kinds[slot] = kindOf(slot + MIN_STATUS, immediate, account);
  return kinds;
}

/** Bounds the memory of a warm Lambda fed ever-new models or accounts; refilling the cache is cheap. */
const MAX_CACHED_DESCRIPTORS = 4096;

const caches = new WeakMap<PolicyConfig, DescriptorCache>();

function cacheFor(config: PolicyConfig): DescriptorCache {
  let cache = caches.get(config);
  if (!cache) {
    const immediate = new Set(config.incidents.immediateStatuses);
    const accountStatuses = new Set(config.accountIssues.statuses);
    cache = {
      immediate,
      accountStatuses,
      byModel: { immediate: new Map(), persistent: new Map() },
      byEndpoint: { immediate: new Map(), persistent: new Map() },
      unknown: {
        immediate: { kind: 'incident', slot: 0, key: 'incident#immediate#unknown', rule: 'immediate' },
        persistent: { kind: 'incident', slot: 1, key: 'incident#persistent#unknown', rule: 'persistent' },
      },
      byAccount: new Map(),
      counters: new Map(),
      kinds: kindsOf(immediate, accountStatuses),
      counterAt: new Array<ScopeDescriptor | undefined>(STATUSES).fill(undefined),
      size: 0,
    };
    caches.set(config, cache);
  } else if (cache.size > MAX_CACHED_DESCRIPTORS) {
    for (const map of [cache.byModel.immediate, cache.byModel.persistent, cache.byEndpoint.immediate])
      map.clear();
    cache.byEndpoint.persistent.clear();
    cache.byAccount.clear();
    cache.counters.clear();
    cache.counterAt.fill(undefined);
    cache.size = 0;
  }
  return cache;
}

/** The slot of a new descriptor (0 and 1 are the two `unknown` ones); counts it in the cache's size. */
function nextSlot(cache: DescriptorCache): number {
  cache.size++;
  return cache.size + 1;
}

function incidentScope(event: TriageEvent, rule: IncidentRule, cache: DescriptorCache): ScopeDescriptor {
  const { model, endpoint } = event;
  if (model !== undefined) {
    let found = cache.byModel[rule].get(model);
    if (!found) {
      found = {
        kind: 'incident',
        slot: nextSlot(cache),
        key: `incident#${rule}#model#${keyPart(model)}`,
        rule,
        model,
      };
      cache.byModel[rule].set(model, found);
    }
    return found;
  }
  if (endpoint === undefined) return cache.unknown[rule];
  let found = cache.byEndpoint[rule].get(endpoint);
  if (!found) {
    found = {
      kind: 'incident',
      slot: nextSlot(cache),
      key: `incident#${rule}#endpoint#${keyPart(endpoint)}`,
      rule,
      endpoint,
    };
    cache.byEndpoint[rule].set(endpoint, found);
  }
  return found;
}

// 412 messages repeat (a client retries, a LoRA keeps failing): their subtype is read by a regex once each.
const subtypeOf412 = new Map<string, ReturnType<typeof subtypeOf>>();
const MAX_CACHED_MESSAGES = 256;

function subtypeOfPreconditionFailed(message: string | undefined): ReturnType<typeof subtypeOf> {
  if (message === undefined) return subtypeOf(412, message);
  let subtype = subtypeOf412.get(message);
  if (subtype === undefined) {
    subtype = subtypeOf(412, message);
    if (subtypeOf412.size >= MAX_CACHED_MESSAGES) subtypeOf412.clear();
    subtypeOf412.set(message, subtype);
  }
  return subtype;
}

function accountScope(event: TriageEvent, cache: DescriptorCache): ScopeDescriptor {
  const { status } = event;
  const account = event.account ?? UNKNOWN_ACCOUNT;
  // A LoRA that failed to load is the account's model problem, not its billing status: its own group.
  const subtype = status === 412 ? subtypeOfPreconditionFailed(event.message) : undefined;
  const lora = subtype === 'lora-load-failed';
  let statuses = cache.byAccount.get(account);
  if (!statuses) {
    statuses = new Map();
    cache.byAccount.set(account, statuses);
  }
  const slot = lora ? -status : status;
  let found = statuses.get(slot);
  if (!found) {
    found = {
      kind: 'account-issue',
      slot: nextSlot(cache),
      key: `account#${keyPart(account)}#${status}${lora ? `#${subtype}` : ''}`,
      account,
      status,
      ...(subtype === 'account-status' || subtype === 'lora-load-failed' ? { subtype } : {}),
    };
    statuses.set(slot, found);
  }
  return found;
}

/**
 * The scope an event belongs to under `config`. Every event belongs to exactly one scope. Descriptors are
 * shared (cached per config): treat them as read-only.
 */
export function describeScope(event: TriageEvent, config: PolicyConfig): ScopeDescriptor {
  return scopeDescriber(config)(event);
}

/** `describeScope` for many events under one config: the cache is looked up once, not per event. */
export function scopeDescriber(config: PolicyConfig): (event: TriageEvent) => ScopeDescriptor {
  const cache = cacheFor(config);
  const { kinds, counterAt } = cache;
  return (event) => {
    const { status } = event;
    // A status of 100–599 (every validated event's) is looked up in a table; anything else (undefined
    // there, including non-integers) by the same rule.
    const kind = kinds[status - MIN_STATUS] ?? kindOf(status, cache.immediate, cache.accountStatuses);
    switch (kind) {
      case KIND.immediate:
        return incidentScope(event, 'immediate', cache);
      case KIND.persistent:
        return incidentScope(event, 'persistent', cache);
      case KIND.account:
        return accountScope(event, cache);
      default:
        return counterAt[status - MIN_STATUS] ?? counterScope(status, cache);
    }
  };
}

/** One counter per status: the per-model/account/app breakdown goes to the triage log, not to records. */
function counterScope(status: number, cache: DescriptorCache): ScopeDescriptor {
  let found = cache.counters.get(status);
  if (!found) {
    found = { kind: 'counter', slot: nextSlot(cache), key: `count#${status}`, status };
    cache.counters.set(status, found);
  }
  const slot = status - MIN_STATUS;
  if (Number.isInteger(slot) && slot >= 0 && slot < STATUSES) cache.counterAt[slot] = found;
  return found;
}
