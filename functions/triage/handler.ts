import { createTriageHandler } from './triage';
import {
  createIncidentHistory,
  createNotifier,
  createScopeLaneForwarding,
  createSilenceCache,
  createStateRepository,
  readPolicyConfig,
} from './wiring';

// Read once at cold start: a missing variable or a bad policy fails the first invocation loudly.
export const handler = createTriageHandler({
  config: readPolicyConfig(),
  repository: createStateRepository(),
  notifier: createNotifier(),
  history: createIncidentHistory(),
  silences: createSilenceCache(),
  scopeLane: createScopeLaneForwarding(),
});
