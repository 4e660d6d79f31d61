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
  readonly llm?: boolean | undefined;
  /** Why this status and this provider, for `triage extract --explain`. */
  readonly evidence: { readonly status: string; readonly provider: string };
  readonly message?: string | undefined;
  readonly requestId?: string | undefined;
  readonly model?: string | undefined;
  readonly account?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly method?: string | undefined;
  readonly errorType?: string | undefined;
  readonly errorCode?: string | undefined;
  /** Set when the line names its app/service (it then wins over the log group name). */
  readonly app?: string | undefined;
  readonly environment?: string | undefined;
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
