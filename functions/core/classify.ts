import {
  type CatalogEntry,
  type Category,
  catalogEntry,
  type Route,
  type Severity,
  UNLISTED_CODE_TIP,
} from './catalog';
import { ValidationError } from './errors';

/** Finer reading of a code that the documented table gives several causes for. */
export type Subtype = 'account-status' | 'lora-load-failed' | 'model-unavailable' | 'path-not-found';

export interface Classification {
  readonly status: number;
  readonly name: string;
  readonly possibleIssue: string;
  readonly resolution: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly route: Route;
  /** True when the status is a row of the documented table. */
  readonly documented: boolean;
  /** The documented row whose text and handling applies (520 for unlisted 5xx). */
  readonly basis?: number;
  readonly subtype?: Subtype;
}

export const MIN_STATUS = 100;
export const MAX_STATUS = 599;

export function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_STATUS && value <= MAX_STATUS;
}

const LORA = /\blora\b|adapter|addon|failed to load|(?:load|loading) (?:failed|failure|error)/i;
const MODEL_UNAVAILABLE =
  /\bmodel\b[^.]*\b(?:not (?:found|deployed|exist|available)|does(?: not|n['’]t) exist|unavailable|no longer)|\bnot deployed\b|deployment[^.]*not found|accounts\/[\w.-]+\/(?:models|deployedModels)\//i;
const PATH_NOT_FOUND =
  /\b(?:path|route|url|endpoint|page)\b[^.]*\bnot found\b|no route|unknown (?:path|route|endpoint)|cannot (?:get|post)\b/i;

/** Subtype from the message: 412 is an account problem unless the message says a LoRA failed to load. */
export function subtypeOf(status: number, message: string | undefined): Subtype | undefined {
  if (status === 412) return message && LORA.test(message) ? 'lora-load-failed' : 'account-status';
  if (status === 404 && message) {
    if (MODEL_UNAVAILABLE.test(message)) return 'model-unavailable';
    if (PATH_NOT_FOUND.test(message)) return 'path-not-found';
  }
  return undefined;
}

function fromEntry(
  status: number,
  entry: CatalogEntry,
  documented: boolean,
  subtype: Subtype | undefined,
): Classification {
  const { code, name, possibleIssue, resolution, category, severity, retryable, route } = entry;
  return {
    status,
    name,
    possibleIssue,
    resolution,
    category,
    severity,
    retryable,
    // A LoRA that failed to load is a deployment problem: support handles it, not the billing owner.
    route: subtype === 'lora-load-failed' ? 'support' : route,
    documented,
    basis: code,
    ...(subtype ? { subtype } : {}),
  };
}

/**
 * Classify one HTTP status with the documented table. Unlisted 5xx are treated like 520; unlisted 4xx
 * are client errors that are recorded; 1xx–3xx are not errors. Throws for anything outside 100–599.
 */
export function classify(status: number, message?: string): Classification {
  if (!isHttpStatus(status)) {
    throw new ValidationError(
      `status must be an integer HTTP status between ${MIN_STATUS} and ${MAX_STATUS}`,
      [
        {
          path: 'status',
          message: `expected an integer from ${MIN_STATUS} to ${MAX_STATUS}, got ${String(status)}`,
        },
      ],
    );
  }
  const subtype = status === 404 || status === 412 ? subtypeOf(status, message) : undefined;
  return Object.freeze(build(status, subtype));
}

function build(status: number, subtype: Subtype | undefined): Classification {
  const entry = catalogEntry(status);
  if (entry) return fromEntry(status, entry, true, subtype);
  if (status >= 500) {
    const unknown = catalogEntry(520) as CatalogEntry;
    return {
      ...fromEntry(status, unknown, false, subtype),
      name: `Unlisted server error ${status} (handled as 520 ${unknown.name})`,
    };
  }
  if (status >= 400) {
    return {
      status,
      name: `Unlisted client error ${status}`,
      possibleIssue: 'A client error that the Fireworks documentation does not list.',
      resolution: UNLISTED_CODE_TIP,
      category: 'client-error',
      severity: 'info',
      retryable: status === 409,
      route: 'record',
      documented: false,
    };
  }
  return {
    status,
    name: `Not an error (${status})`,
    possibleIssue: 'Informational, success or redirect status: not an error response.',
    resolution: 'Nothing to resolve.',
    category: 'not-an-error',
    severity: 'info',
    retryable: false,
    route: 'record',
    documented: false,
  };
}
