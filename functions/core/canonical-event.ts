import { isoLayoutMs, LIMITS, METHOD_PATTERN, TEXT_LIMITS, type TriageEvent } from './event';
import { looksLikeSecret } from './redact';

/**
 * Reading canonical events without zod. Every queue message holds up to a few hundred canonical events
 * that the ingest function wrote; validating each with the zod schema cost the triage function ~2.8 µs
 * per event, six times the policy engine's own work. The common case is checked here by hand; anything
 * unusual, and every invalid event, goes to the schema, which decides and words the error.
 */

/** Where {@link readCanonicalEvent} puts the event time it read: epoch ms of `occurredAt`, if any. */
export interface ReadTime {
  time: number | undefined;
  /** When set, each model, account and app read is added to it (see {@link collectValues}). */
  values?: ValueCollector | undefined;
}

/** The models, accounts and apps of one batch's events, collected while reading them (EventBatch.values). */
export interface ValueCollector {
  /** Tells this collector's values from another's in the intern table. */
  readonly stamp: number;
  readonly models: string[];
  readonly accounts: string[];
  readonly apps: string[];
}

let collectors = 0;

/** A new, empty collector: give it to the reads of one batch's events. */
export function collectValues(): ValueCollector {
  collectors++;
  return { stamp: collectors, models: [], accounts: [], apps: [] };
}

/** An interned value, and per field the stamp of the last collector it was added to. */
interface Interned {
  readonly value: string;
  model: number;
  account: number;
  app: number;
}

const MAX_INTERNED = 8192;
const interned = new Map<string, Interned>();
const RECENT_SLOTS = 256;
const recentEntries: (Interned | undefined)[] = new Array<Interned | undefined>(RECENT_SLOTS).fill(undefined);

/**
 * One string instance per value for the fields the policy engine groups by (model, account, app,
 * endpoint): JSON.parse makes a new string for every event's copy of a value longer than a few
 * characters, and the engine's scope lookups and distinct-value checks then hash and compare each copy
 * by content. Bounded: a warm container fed ever-new values starts over (a collector may then get a
 * value twice, which EventBatch.values allows). Interning is not observable (strings compare by content):
 * it only saves the engine time.
 */
function internEntry(value: string): Interned {
  // A batch names a few values many times over: most are found in a small table indexed by a few of
  // their characters, where one comparison (lengths, then characters) answers without hashing the string.
  const n = value.length;
  const slot = (n * 31 + value.charCodeAt(n - 1) * 7 + value.charCodeAt(n >> 1)) & (RECENT_SLOTS - 1);
  const recent = recentEntries[slot];
  if (recent !== undefined && recent.value === value) return recent;
  let entry = interned.get(value);
  if (entry === undefined) {
    if (interned.size >= MAX_INTERNED) {
      interned.clear();
      recentEntries.fill(undefined);
    }
    entry = { value, model: 0, account: 0, app: 0 };
    interned.set(value, entry);
  }
  recentEntries[slot] = entry;
  return entry;
}

function intern(value: string): string {
  return internEntry(value).value;
}

/** The fields whose values a collector gathers, and the list each goes to. */
type Collected = 'model' | 'account' | 'app';
const LIST_OF = { model: 'models', account: 'accounts', app: 'apps' } as const;

/** The interned instance of a `field` value, added to `values` unless already there. */
function internValue(value: string, field: Collected, values: ValueCollector | undefined): string {
  const entry = internEntry(value);
  if (values !== undefined && entry[field] !== values.stamp) {
    entry[field] = values.stamp;
    values[LIST_OF[field]].push(entry.value);
  }
  return entry.value;
}

/** Add the model, account and app of an event read some other way (by the schema) to `values`. */
export function collectEventValues(
  event: Pick<TriageEvent, 'model' | 'account' | 'app'>,
  values: ValueCollector,
): void {
  if (event.model !== undefined) internValue(event.model, 'model', values);
  if (event.account !== undefined) internValue(event.account, 'account', values);
  if (event.app !== undefined) internValue(event.app, 'app', values);
}

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= max;

const isShortString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

/**
 * The event itself when `input` is a canonical event that the schema (`canonicalEventSchema`) accepts
 * as it is: an object of canonical fields only, each valid, `occurredAt` (if any) in the exact layout
 * `toISOString` writes. Its model, account, app and endpoint are replaced by their interned instances
 * (equal strings), and `read.time` gets the epoch ms of its `occurredAt`. Undefined when the schema must
 * decide: an unknown key, an invalid value, or a valid one this path does not read (such as a time with
 * microseconds, or a text whose UTF-16 length is over the limit but whose code points are not).
 */
export function readCanonicalEvent(input: unknown, read: ReadTime): TriageEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const event = input as Record<string, unknown>;
  let time: number | undefined;
  let required = 0;
  for (const key in event) {
    const value = event[key];
    switch (key) {
      case 'id':
        if (!isText(value, TEXT_LIMITS.id)) return undefined;
        required++;
        break;
      case 'status':
        if (!(typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599))
          return undefined;
        required++;
        break;
      case 'message':
        if (!isShortString(value, LIMITS.maxMessageChars)) return undefined;
        break;
      case 'messageTruncated':
        if (value !== true) return undefined;
        break;
      case 'requestId':
        if (!isText(value, TEXT_LIMITS.requestId)) return undefined;
        break;
      case 'model':
        if (!isText(value, TEXT_LIMITS.model)) return undefined;
        event.model = internValue(value, 'model', read.values);
        break;
      case 'account':
        if (!isText(value, TEXT_LIMITS.account)) return undefined;
        event.account = internValue(value, 'account', read.values);
        break;
      case 'apiKeyId':
        if (!isText(value, TEXT_LIMITS.apiKeyId) || looksLikeSecret(value)) return undefined;
        break;
      case 'endpoint':
        if (!isText(value, TEXT_LIMITS.endpoint)) return undefined;
        event.endpoint = intern(value);
        break;
      case 'method':
        if (!isText(value, TEXT_LIMITS.method) || !METHOD_PATTERN.test(value)) return undefined;
        break;
      case 'app':
        if (!isText(value, TEXT_LIMITS.app)) return undefined;
        event.app = internValue(value, 'app', read.values);
        break;
      case 'environment':
        if (!isText(value, TEXT_LIMITS.environment)) return undefined;
        break;
      case 'occurredAt':
        if (typeof value !== 'string') return undefined;
        time = isoLayoutMs(value);
        if (time === undefined) return undefined;
        break;
      case 'errorType':
      case 'errorCode':
        if (!isShortString(value, 256)) return undefined;
        break;
      case 'provider':
        if (value !== 'fireworks' && value !== 'unknown') return undefined;
        break;
      case 'source':
        if (value !== 'webhook' && value !== 'logs') return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (required !== 2) return undefined;
  read.time = time;
  return event as unknown as TriageEvent;
}
