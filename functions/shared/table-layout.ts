/** Partition of the state table holding resolved incidents for the read API (functions/adapters/incident-history.ts). */
export const HISTORY_PARTITION = 'incident-history';
/** Partition of the state table holding run-time silences (functions/adapters/silence-store.ts). */
export const SILENCE_PARTITION = 'silence';
