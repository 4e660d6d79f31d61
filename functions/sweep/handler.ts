import {
  createIncidentHistory,
  createNotifier,
  createSilenceCache,
  createStateRepository,
  readPolicyConfig,
} from '../triage/wiring';
import { createSweepHandler } from './sweep';

// Read once at cold start: a missing variable or a bad policy fails the first invocation loudly.
export const handler = createSweepHandler({
  config: readPolicyConfig(),
  repository: createStateRepository(),
  notifier: createNotifier(),
  history: createIncidentHistory(),
  silences: createSilenceCache(),
});
