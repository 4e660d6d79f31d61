import { IncidentHistory } from '../adapters/incident-history';
import { SilenceStore } from '../adapters/silence-store';
import { createDocumentClient, StateRepository } from '../adapters/state-repository';
import { TokenStore } from '../adapters/token-store';
import type { ScopeState } from '../core/policy';
import { numberEnv, requireEnv } from '../shared/env';
import { createNotifier, readPolicyConfig } from '../triage/wiring';
import { createOnCallHandler } from './oncall';

// Read once at cold start: a missing variable fails the first invocation with its name.
const tableName = requireEnv('TABLE_NAME');
const cacheSeconds = numberEnv('TOKEN_CACHE_SECONDS', 60, { min: 0, max: 3600 });
const maxSilenceSeconds = numberEnv('MAX_SILENCE_SECONDS', 7 * 24 * 3600, { min: 60, max: 366 * 24 * 3600 });

// One client per container; emulator endpoints come from AWS_ENDPOINT_URL_* only.
const documentClient = createDocumentClient();

export const handler = createOnCallHandler({
  tokens: new TokenStore({ tableName, documentClient, cacheSeconds }),
  repository: new StateRepository<ScopeState>({ tableName, documentClient }),
  history: new IncidentHistory({ tableName, documentClient }),
  silences: new SilenceStore({ tableName, documentClient }),
  maxSilenceSeconds,
  notifier: createNotifier(),
  config: readPolicyConfig(),
});
