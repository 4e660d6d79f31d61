import type { Provider } from '../event';

/**
 * What one log line says about a failed inference API call, before it becomes a TriageEvent:
 * always a 4xx/5xx `status` and the `provider`; the rest only when the line shows it.
 * Every string is already redacted.
 */
export interface LineExtraction {
  readonly status: number;
  readonly provider: Provider;
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

/** The optional fields while they are being gathered. */
export type LineFields = { -readonly [K in Exclude<keyof LineExtraction, 'status' | 'provider'>]?: string };

/** Every key from the start, in one order: one object shape for whoever reads the fields (monomorphic reads). */
export function emptyLineFields(): LineFields {
  return {
    message: undefined,
    requestId: undefined,
    model: undefined,
    account: undefined,
    endpoint: undefined,
    method: undefined,
    errorType: undefined,
    errorCode: undefined,
    app: undefined,
    environment: undefined,
  };
}
