import { describeConnectionError } from './file-errors';
import { type CliContext, UsageError } from './io';
import { requireTarget, type StackTarget, type StackTargetOptions, stackTargetFor } from './stack-target';

/** Each request gives up after this long. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The options of every command that calls the on-call API: `--stack` / `--outputs` and `--token`. */
export interface ApiOptions extends StackTargetOptions {
  readonly token?: string;
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
  readonly #target: StackTarget;

  constructor(options: ApiOptions, ctx: Pick<CliContext, 'cwd' | 'env' | 'fetch'>) {
    const target = stackTargetFor(options, ctx);
    this.#target = target;
    // The on-call routes live beside the webhook on the same API.
    this.#base = requireTarget(target, 'webhookUrl');
    const token =
      options.token ||
      (target.kind === 'local' ? target.adminToken : undefined) ||
      ctx.env.TRIAGE_TOKEN ||
      undefined;
    if (!token) {
      throw new UsageError(
        'no API token: pass --token TOKEN or set TRIAGE_TOKEN (create one with `triage token create --app NAME --scope admin`)',
      );
    }
    this.#token = token;
    this.#fetch = ctx.fetch;
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
      const why =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : (describeConnectionError(error) ?? (error as Error).message);
      const hint =
        this.#target.kind === 'local'
          ? ` — is \`npm start\` running? (${this.#target.source} is from the last one started)`
          : '';
      throw new Error(`cannot reach ${url.origin}: ${why}${hint}`, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return answer.json;
    const message = `${method} ${url.pathname} answered ${answer.status}: ${errorText(answer)}`;
    if (answer.status === 400) throw new UsageError(message);
    throw new Error(message);
  }
}
