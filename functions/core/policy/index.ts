/** The triage policy engine (DESIGN §5–§7): pure, batch-oriented, event-time. */
export * from './config';
export * from './types';
