import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IncidentHistory } from '../../functions/adapters/incident-history';
import type { IncidentView } from '../../functions/core/incidents';
import { createStateTable } from '../helpers/table';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

const resolved = (subjectId: string, minute: number, fields: Partial<IncidentView> = {}): IncidentView => ({
  subjectId,
  kind: 'incident',
  status: 503,
  statusCounts: { '503': 5 },
  state: 'resolved',
  openedAt: new Date(NOW + (minute - 5) * 60_000).toISOString(),
  lastSeen: new Date(NOW + minute * 60_000).toISOString(),
  count: 5,
  ...fields,
});

describe('IncidentHistory (dynalite)', () => {
  let history: IncidentHistory;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const table = await createStateTable({ prefix: 'incident-history' });
    drop = table.drop;
    history = new IncidentHistory({
      tableName: table.tableName,
      documentClient: DynamoDBDocumentClient.from(table.client),
    });
    for (let i = 0; i < 5; i++) {
      await history.record(
        resolved(`inc-${i}`, i, i % 2 ? { kind: 'account-issue', account: 'acme' } : {}),
        NOW,
      );
    }
    // A retried resolve writes the same item again.
    await history.record(resolved('inc-4', 4), NOW);
  });

  afterAll(() => drop());

  it('lists resolved incidents newest first, each once', async () => {
    const { views, more } = await history.resolved(undefined, 100, () => true);
    expect(views.map((v) => v.subjectId)).toEqual(['inc-4', 'inc-3', 'inc-2', 'inc-1', 'inc-0']);
    expect(more).toBe(false);
  });

  it('starts after a cursor and keeps only what the filter keeps', async () => {
    const [, second] = (await history.resolved(undefined, 100, () => true)).views;
    const after = `${second?.lastSeen}#${second?.subjectId}`;
    const { views } = await history.resolved(after, 100, (v) => v.kind === 'account-issue');
    expect(views.map((v) => v.subjectId)).toEqual(['inc-1']);
  });
});
