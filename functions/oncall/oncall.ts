import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import type { IncidentHistory } from '../adapters/incident-history';
import type { Notifier } from '../adapters/notifier';
import type { SilenceStore } from '../adapters/silence-store';
import type { StateRepository } from '../adapters/state-repository';
import type { TokenIdentity } from '../adapters/token-store';
import { ValidationError } from '../core/errors';
import { openIncidentView, parseIncidentQuery } from '../core/incidents';
import {
  type AcknowledgeResult,
  acknowledgeSubject,
  type PolicyConfig,
  type ScopeState,
} from '../core/policy';
import { redactText } from '../core/redact';
import {
  expireSilence,
  newSilence,
  type RuntimeSilence,
  SILENCE_DEFAULTS,
  type SilenceState,
  silenceState,
  withRuntimeSilences,
} from '../core/silences';
import type { TokenScope } from '../core/token-scope';
import { authenticate, type TokenVerifier } from '../shared/auth';
import { HttpError, type HttpResult, headerValue, jsonResponse } from '../shared/http';
import { logger as sharedLogger } from '../shared/logger';
import { metrics as sharedMetrics } from '../shared/metrics';
import { type StandardMiddlewareOptions, withHttpMiddleware } from '../shared/middleware';
import { deliverIntents, updateScope } from '../triage/scope-updates';
import { type IncidentSources, listIncidents } from './incidents';

export interface OnCallDependencies extends StandardMiddlewareOptions, IncidentSources {
  readonly tokens: TokenVerifier;
  /** Scope records: the open subjects (due index) and the acknowledgement's conditional write. */
  readonly repository: Pick<StateRepository<ScopeState>, 'dueScopes' | 'get' | 'save'>;
  readonly history: Pick<IncidentHistory, 'resolved'>;
  /** Publishes `*.acknowledged`. */
  readonly notifier: Pick<Notifier, 'publish'>;
  /** The policy (due times of an acknowledged subject, outbox retries). */
  readonly config: PolicyConfig;
  readonly silences: Pick<SilenceStore, 'create' | 'get' | 'replace' | 'list'>;
  /** The longest silence `POST /v1/silences` accepts (default 7 days). */
  readonly maxSilenceSeconds?: number;
  /** Epoch ms. */
  readonly clock?: () => number;
  readonly newId?: () => string;
}

/** Bodies of on-call requests are small: a silence or an acknowledgement. */
const MAX_BODY_BYTES = 16 * 1024;
const JSON_MEDIA_TYPE = /^(?:application\/json|[a-z]+\/[a-z0-9.!#$&^_-]+\+json)$/;
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

interface Request {
  readonly event: APIGatewayProxyEventV2;
  readonly identity: TokenIdentity;
  /** The id in the path, when the route has one. */
  readonly id?: string;
}

type Action = (request: Request) => Promise<HttpResult>;

interface Route {
  readonly pattern: RegExp;
  /** Method → the scope it needs and what it does. */
  readonly methods: Readonly<Record<string, { readonly scope: TokenScope; readonly action: Action }>>;
}

function requireJsonBody(event: APIGatewayProxyEventV2): unknown {
  const contentType = headerValue(event.headers, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !JSON_MEDIA_TYPE.test(mediaType)) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `request body is over ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const reason = redactText((error as Error).message);
    throw new HttpError(400, 'invalid_request', `request body is not valid JSON: ${reason}`, {
      details: [{ path: '(body)', message: reason }],
    });
  }
}

const SILENCE_STATES: readonly SilenceState[] = ['active', 'pending', 'expired'];

function silenceQuery(params: Readonly<Record<string, string | undefined>> = {}): SilenceState | undefined {
  const details = Object.keys(params)
    .filter((key) => key !== 'state')
    .map((key) => ({ path: key, message: 'unknown query parameter' }));
  const state = params.state;
  if (state !== undefined && !SILENCE_STATES.includes(state as SilenceState)) {
    details.push({ path: 'state', message: 'expected active, pending or expired' });
  }
  if (details.length > 0) {
    throw new ValidationError(
      `invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return state as SilenceState | undefined;
}

/**
 * The on-call API (docs/design.md, "Read API", "Silences at run time"): `GET /v1/incidents`, and
 * `GET|POST /v1/silences`, `GET|DELETE /v1/silences/{id}`. Checks the route, the method (405 with
 * Allow), the token and its scope (GET: read; changes: admin), then the input, so nothing is read or
 * written for a bad request. Each change writes one audit log line.
 */
export function createOnCallHandler(deps: OnCallDependencies) {
  const log = deps.logger ?? sharedLogger;
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? (() => `sil-${randomUUID()}`);
  const maxSilenceSeconds = deps.maxSilenceSeconds ?? SILENCE_DEFAULTS.maxDurationSeconds;

  const withState = (silence: RuntimeSilence, now: number) => ({
    ...silence,
    state: silenceState(silence, now),
  });

  const audit = (identity: TokenIdentity, action: string, details: Record<string, unknown>, now: number) =>
    auditLog(log, identity, action, details, now);

  const metrics = deps.metrics ?? sharedMetrics;

  /** The open subject with this id (every open one is in the due index), or a 404/409 saying why not. */
  async function openScope(subjectId: string | undefined): Promise<ScopeState> {
    const id = subjectId !== undefined && ID_PATTERN.test(subjectId) ? subjectId : undefined;
    if (id !== undefined) {
      const scopes = await deps.repository.dueScopes(Number.MAX_SAFE_INTEGER, 5000);
      const found = scopes.find((s) => s.kind !== 'counter' && s.current?.id === id);
      if (found) return found;
      const { views } = await deps.history.resolved(undefined, 1, (view) => view.subjectId === id);
      if (views.length > 0) {
        throw new HttpError(409, 'conflict', `${id} is already resolved: a new incident pages again`);
      }
    }
    throw new HttpError(
      404,
      'not_found',
      `no open incident or account issue with id ${JSON.stringify(subjectId ?? '')}`,
    );
  }

  const routes: readonly Route[] = [
    {
      pattern: /^\/v1\/incidents$/,
      methods: {
        GET: {
          scope: 'read',
          action: async ({ event }) => {
            const query = parseIncidentQuery(event.queryStringParameters ?? {});
            return jsonResponse(200, await listIncidents(query, deps), { 'cache-control': 'no-store' });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/incidents\/([^/]+)\/ack$/,
      methods: {
        POST: {
          scope: 'admin',
          action: async ({ event, id, identity }) => {
            const ack = parseAck(requireJsonBody(event));
            const scope = await openScope(id);
            const now = clock();
            const config = withRuntimeSilences(deps.config, await deps.silences.list());
            let result: AcknowledgeResult = { outcome: 'not-open' };
            const { state, intents } = await updateScope(
              scope.key,
              scope,
              (current) => {
                result = current
                  ? acknowledgeSubject(current, id as string, ack, now, config)
                  : { outcome: 'not-open' };
                return result.outcome === 'acknowledged' ? result.update : { intents: [] };
              },
              deps.repository,
            );
            const outcome = result as AcknowledgeResult;
            if (outcome.outcome === 'already-acknowledged') {
              throw new HttpError(409, 'conflict', `${id} was already acknowledged by ${outcome.by}`);
            }
            if (outcome.outcome === 'not-open' || !state || state.kind === 'counter') {
              throw new HttpError(409, 'conflict', `${id} is no longer open`);
            }
            audit(identity, 'incident.acknowledge', { subjectId: id, by: ack.by, comment: ack.comment }, now);
            // A failed publish stays in the scope's outbox: the sweep sends it.
            await deliverIntents(state, intents, {
              repository: deps.repository,
              notifier: deps.notifier,
              logger: log,
              metrics,
            });
            return jsonResponse(200, { incident: openIncidentView(state) });
          },
        },
      },
    },
    {
      pattern: /^\/v1\/silences$/,
      methods: {
        GET: {
          scope: 'read',
          action: async ({ event }) => {
            const wanted = silenceQuery(event.queryStringParameters ?? {});
            const now = clock();
            const silences = (await deps.silences.list())
              .map((s) => withState(s, now))
              .filter((s) => wanted === undefined || s.state === wanted)
              .sort((a, b) => b.startsAt.localeCompare(a.startsAt) || a.id.localeCompare(b.id));
            return jsonResponse(200, { silences }, { 'cache-control': 'no-store' });
          },
        },
        POST: {
          scope: 'admin',
          action: async ({ event, identity }) => {
            const now = clock();
            const silence = newSilence(requireJsonBody(event), {
              id: newId(),
              now,
              createdBy: identity.app,
              maxDurationSeconds: maxSilenceSeconds,
            });
            await deps.silences.create(silence);
            audit(identity, 'silence.create', { silenceId: silence.id, silence }, now);
            return jsonResponse(
              201,
              { silence: withState(silence, now) },
              { location: `/v1/silences/${silence.id}` },
            );
          },
        },
      },
    },
    {
      pattern: /^\/v1\/silences\/([^/]+)$/,
      methods: {
        GET: {
          scope: 'read',
          action: async ({ id }) => {
            const silence = await findSilence(id);
            return jsonResponse(
              200,
              { silence: withState(silence, clock()) },
              { 'cache-control': 'no-store' },
            );
          },
        },
        DELETE: {
          scope: 'admin',
          action: async ({ id, identity }) => {
            const now = clock();
            const silence = await findSilence(id);
            const expired = expireSilence(silence, now);
            if (expired !== silence) await deps.silences.replace(expired);
            audit(
              identity,
              'silence.expire',
              { silenceId: silence.id, wasState: silenceState(silence, now) },
              now,
            );
            return jsonResponse(200, { silence: withState(expired, now) });
          },
        },
      },
    },
  ];

  async function findSilence(id: string | undefined): Promise<RuntimeSilence> {
    const silence = id !== undefined && ID_PATTERN.test(id) ? await deps.silences.get(id) : undefined;
    if (!silence) throw new HttpError(404, 'not_found', `no silence with id ${JSON.stringify(id ?? '')}`);
    return silence;
  }

  return withHttpMiddleware(async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const path = event.requestContext.http.path.replace(/\/+$/, '');
    let match: RegExpExecArray | null = null;
    const route = routes.find((r) => {
      match = r.pattern.exec(path);
      return match !== null;
    });
    if (!route || !match) throw new HttpError(404, 'not_found', 'no such route');
    const method = event.requestContext.http.method.toUpperCase();
    const handling = route.methods[method];
    if (!handling) {
      const allowed = Object.keys(route.methods).join(', ');
      throw new HttpError(405, 'method_not_allowed', `method ${method} is not allowed here: use ${allowed}`, {
        headers: { allow: allowed },
      });
    }
    const identity = await authenticate(event, deps.tokens, handling.scope);
    log.appendKeys({ app: identity.app, tokenId: identity.tokenId });
    const rawId = (match as RegExpExecArray)[1];
    const id = rawId === undefined ? undefined : safeDecode(rawId);
    return handling.action({ event, identity, ...(id !== undefined ? { id } : {}) });
  }, deps);
}

const AckSchema = z.strictObject({
  by: z
    .string({ error: 'expected who acknowledges (a name)' })
    .check(
      z.trim(),
      z.minLength(1, 'expected who acknowledges (a name)'),
      z.maxLength(128, 'expected at most 128 characters'),
    ),
  comment: z.optional(
    z
      .string({ error: 'expected a comment (text)' })
      .check(z.trim(), z.maxLength(1024, 'expected at most 1024 characters')),
  ),
});

/** `{"by", "comment"?}` of `POST /v1/incidents/{subjectId}/ack`; a 400 names every bad field. */
function parseAck(body: unknown): { readonly by: string; readonly comment?: string } {
  const parsed = AckSchema.safeParse(body);
  if (parsed.success) {
    const { by, comment } = parsed.data;
    return { by, ...(comment ? { comment } : {}) };
  }
  const details =
    body === null || typeof body !== 'object' || Array.isArray(body)
      ? [{ path: '(body)', message: 'expected a JSON object {"by", "comment"?}' }]
      : parsed.error.issues.flatMap((issue) =>
          issue.code === 'unrecognized_keys'
            ? issue.keys.map((key) => ({ path: key, message: 'unknown field' }))
            : [{ path: issue.path.map(String).join('.') || '(body)', message: issue.message }],
        );
  throw new ValidationError(
    `invalid acknowledgement: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** One structured line per admin action: who (token id and app), what, when. */
function auditLog(
  log: Logger,
  identity: TokenIdentity,
  action: string,
  details: Record<string, unknown>,
  now: number,
): void {
  log.info('audit', {
    audit: {
      action,
      at: new Date(now).toISOString(),
      tokenId: identity.tokenId,
      app: identity.app,
      ...details,
    },
  });
}
