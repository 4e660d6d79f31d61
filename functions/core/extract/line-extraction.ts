import type { Provider } from './attribution';

/**
 * What one log line says about a failed API call, before it becomes a TriageEvent: always a 4xx/5xx
 * `status`, whose error it is (`provider`, `llm`) and why (`evidence`); the rest only when the line
 * shows it. Every string is already redacted.
 */
export interface LineExtraction {
  readonly status: number;
  readonly provider: Provider;
  /** Does the line look like an LLM API call (undefined: it shows nothing either way)? */
  readonly llm?: boolean;
  /** Why this status and this provider, for `triage extract --explain`. */
  readonly evidence: { readonly status: string; readonly provider: string };
  readonly message?: string;
  readonly requestId?: string;
  readonly model?: string;
  readonly account?: string;
  readonly endpoint?: string;
  readonly method?: string;
  readonly errorType?: string;
  readonly errorCode?: string;
  /** Set when the line names its app/service (it then wins over the log group name). */
  readonly app?: string;
  readonly environment?: string;
}

/** The optional text fields while they are being gathered. */
export type LineFields = {
  -readonly [K in
    | 'message'
    | 'requestId'
    | 'model'
    | 'account'
    | 'endpoint'
    | 'method'
    | 'errorType'
    | 'errorCode'
    | 'app'
    | 'environment']?: string | undefined;
};
