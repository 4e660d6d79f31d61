import { IncidentHistory } from '../adapters/incident-history';
import { Notifier } from '../adapters/notifier';
import { ScopeLaneQueue } from '../adapters/scope-lane-queue';
import { SilenceCache, SilenceStore } from '../adapters/silence-store';
import { createDocumentClient, StateRepository } from '../adapters/state-repository';
import { ConfigError } from '../core/errors';
import type { PolicyConfig } from '../core/policy';
import { parsePolicyConfig, type ScopeState } from '../core/policy';
import { type Runbooks, RunbooksSchema } from '../core/runbooks';
import { numberEnv, optionalEnv, requireEnv } from '../shared/env';
import type { ScopeLaneForwarding } from './forward';

/**
 * Cold-start construction shared by the triage and sweep handlers (same env vars, same adapters):
 * clients are built once per container, endpoints come from the standard AWS_ENDPOINT_URL_* variables.
 */
export function readPolicyConfig(env: NodeJS.ProcessEnv = process.env): PolicyConfig {
  const text = requireEnv('POLICY_CONFIG', env);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`POLICY_CONFIG is not JSON: ${(error as Error).message}`, [
      { path: 'POLICY_CONFIG', message: 'expected JSON text' },
    ]);
  }
  return parsePolicyConfig(json);
}

// One DynamoDB client per container, shared by the repository and the history.
let documentClient: ReturnType<typeof createDocumentClient> | undefined;
const sharedDocumentClient = () => {
  documentClient ??= createDocumentClient();
  return documentClient;
};

export function createStateRepository(env: NodeJS.ProcessEnv = process.env): StateRepository<ScopeState> {
  return new StateRepository<ScopeState>({
    tableName: requireEnv('TABLE_NAME', env),
    documentClient: sharedDocumentClient(),
  });
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env): Notifier {
  return new Notifier({
    topicArns: {
      support: requireEnv('SUPPORT_TOPIC_ARN', env),
      account: requireEnv('ACCOUNT_TOPIC_ARN', env),
    },
    runbooks: runbooksFromEnv(env),
  });
}

/** RUNBOOKS: the `runbooks` config as JSON ({} when absent), checked at cold start. */
export function runbooksFromEnv(env: NodeJS.ProcessEnv = process.env): Runbooks {
  let json: unknown;
  try {
    json = JSON.parse(optionalEnv('RUNBOOKS', '{}', env));
  } catch (error) {
    throw new ConfigError(`RUNBOOKS is not JSON: ${(error as Error).message}`, [
      { path: 'RUNBOOKS', message: 'expected JSON text' },
    ]);
  }
  const parsed = RunbooksSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`RUNBOOKS is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`, [
      { path: 'RUNBOOKS', message: 'expected runbook URLs' },
    ]);
  }
  return parsed.data;
}

export function createIncidentHistory(env: NodeJS.ProcessEnv = process.env): IncidentHistory {
  return new IncidentHistory({
    tableName: requireEnv('TABLE_NAME', env),
    documentClient: sharedDocumentClient(),
  });
}

/** Run-time silences, read at most every SILENCE_CACHE_SECONDS (default 30: in effect within a minute). */
export function createSilenceCache(env: NodeJS.ProcessEnv = process.env): SilenceCache {
  const store = new SilenceStore({
    tableName: requireEnv('TABLE_NAME', env),
    documentClient: sharedDocumentClient(),
  });
  return new SilenceCache(store, numberEnv('SILENCE_CACHE_SECONDS', 30, { min: 0, max: 60 }, env) * 1000);
}

/**
 * With `scopeLane.enabled` the stack sets SCOPE_LANE_QUEUE_URL (the FIFO scope lane) and BULK_QUEUE_ARN (the
 * queue whose messages are forwarded to it); without them the bulk lane is triaged directly.
 */
export function createScopeLaneForwarding(
  env: NodeJS.ProcessEnv = process.env,
): ScopeLaneForwarding | undefined {
  const queueUrl = optionalEnv('SCOPE_LANE_QUEUE_URL', '', env);
  if (queueUrl === '') return undefined;
  return { fromQueueArn: requireEnv('BULK_QUEUE_ARN', env), queue: new ScopeLaneQueue(queueUrl) };
}
