import { UsageError } from './io';
import { requireTarget, resolveStackTarget, type StackTarget } from './stack-target';

/** Each request gives up after this long. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface ApiClientOptions {
  readonly stack?: string;
  readonly outputs?: string;
  readonly token?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
}

export interface ApiAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** The message of the API's JSON error body, with its per-field details. */
function errorText(answer: ApiAnswer): string {
  const error = (answer.json as { error?: { message?: unknown; details?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`;
  return message;
}

/**
 * The on-call routes of the local or deployed stack, with a `read` or `admin` token: `--token`, else the
 * local stack file's `adminToken`, else TRIAGE_TOKEN. A deployed stack's token never comes from a file.
 */
export class ApiClient {
  readonly #base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    const target: StackTarget = resolveStackTarget({
      ...(options.stack ? { stack: options.stack } : {}),
      ...(options.outputs ? { outputs: options.outputs } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    // The on-call routes live beside the webhook on the same API.
    this.#base = requireTarget(target, 'webhookUrl');
    const env = options.env ?? process.env;
    const token =
      options.token ||
      (target.kind === 'local' ? target.adminToken : undefined) ||
      env.TRIAGE_TOKEN ||
      undefined;
    if (!token) {
      throw new UsageError(
        'no API token: pass --token TOKEN or set TRIAGE_TOKEN (create one with `triage token create --app NAME --scope admin`)',
      );
    }
    this.#token = token;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Send a request; a 2xx answer's JSON, else an error with the API's own message (a 400 is a usage error). */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.#base);
    let answer: ApiAnswer;
    try {
      const response = await this.#fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      answer = { status: response.status, json };
    } catch (error) {
      const e = error as { name?: string; message?: string; cause?: { code?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : (e.cause?.code ?? e.message);
      throw new Error(`cannot reach ${url.origin}: ${why}`);
    }
    if (answer.status >= 200 && answer.status < 300) return answer.json;
    const message = `${method} ${url.pathname} answered ${answer.status}: ${errorText(answer)}`;
    if (answer.status === 400) throw new UsageError(message);
    throw new Error(message);
  }
}
