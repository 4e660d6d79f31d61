/** The triage policy engine (docs/design.md, "The policy"): pure, batch-oriented, event-time. */
export * from './config';
export {
  type AcknowledgeResult,
  type ApplyOptions,
  acknowledgeSubject,
  applyBatches,
  batchesByScope,
  markPublished,
  scopeKeysOf,
  sweepScope,
} from './engine';
export { rememberedFingerprints } from './recent-batches';
export { renderNotification } from './render';
export { describeScope, type ScopeDescriptor, UNKNOWN_ACCOUNT } from './scope-key';
export type {
  AccountIssueScope,
  CounterScope,
  IncidentScope,
  ScopeKind,
  ScopeState,
  Subject,
} from './scope-state';
export { type SimulateOptions, type SimulationResult, simulate } from './simulate';
export { BATCH_FINGERPRINT_CHARS, batchFingerprint } from './stable-hash';
export * from './types';
