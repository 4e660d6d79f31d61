import type { TriageEvent } from '../../../functions/core/event';
import { batchesByScope, DEFAULT_POLICY } from '../../../functions/core/policy';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { scopeLaneParts } from '../../../functions/core/scope-lane';

const RECEIVED_AT = Date.UTC(2026, 11, 7, 9, 0, 0);
const model = 'accounts/fireworks/models/llama-v3p1-70b-instruct';

function storm(n: number, messageChars = 20): TriageEvent[] {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 2
      ? { id: `e${i}`, status: 402, account: 'acme', app: 'checkout', message: 'x'.repeat(messageChars) }
      : { id: `e${i}`, status: 503, model, app: 'checkout', message: 'x'.repeat(messageChars) },
  );
}

describe('scopeLaneParts', () => {
  it("gives one part per scope, each a queue message of that scope's events only, grouped by scope", () => {
    const batch = { batchId: 'req-1', receivedAt: RECEIVED_AT, events: storm(9) };

    const parts = scopeLaneParts(batch, DEFAULT_POLICY);

    const scopes = batchesByScope(batch, DEFAULT_POLICY);
    expect(parts).toHaveLength(scopes.size);
    for (const part of parts) {
      const body = parseQueueMessage(part.body);
      expect(body.batchId).toBe(part.batchId);
      expect(body.receivedAt).toBe(RECEIVED_AT);
      const keys = [...batchesByScope(body, DEFAULT_POLICY).keys()];
      expect(keys).toHaveLength(1);
      expect(body.events).toEqual(scopes.get(keys[0] as string)?.events);
    }
    expect(new Set(parts.map((part) => part.groupId)).size).toBe(scopes.size);
  });

  it('gives the same parts, ids and groups for the same message, and the same group to a scope in every message', () => {
    const first = { batchId: 'req-1', receivedAt: RECEIVED_AT, events: storm(6) };
    const again = scopeLaneParts(structuredClone(first), DEFAULT_POLICY);
    const other = scopeLaneParts({ ...first, batchId: 'req-2' }, DEFAULT_POLICY);

    expect(again).toEqual(scopeLaneParts(first, DEFAULT_POLICY));
    expect(other.map((part) => part.groupId)).toEqual(again.map((part) => part.groupId));
    expect(new Set([...other, ...again].map((part) => part.deduplicationId)).size).toBe(other.length * 2);
  });

  it('keeps ids within what SQS allows whatever the batch id, and splits a large scope into several messages', () => {
    const batch = { batchId: 'x'.repeat(256), receivedAt: RECEIVED_AT, events: storm(240, 4_000) };

    const parts = scopeLaneParts(batch, DEFAULT_POLICY);

    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.groupId).toMatch(/^[0-9a-z]{1,128}$/);
      expect(part.deduplicationId).toMatch(/^[\w-]{1,128}$/);
      expect(part.batchId.length).toBeLessThanOrEqual(256);
      expect(Buffer.byteLength(part.body)).toBeLessThanOrEqual(256 * 1024);
    }
    const events = parts.flatMap((part) => parseQueueMessage(part.body).events.map((event) => event.id));
    expect(events.sort()).toEqual(batch.events.map((event) => event.id).sort());
  });
});
