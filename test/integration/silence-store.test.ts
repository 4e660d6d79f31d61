import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SilenceCache, SilenceNotFoundError, SilenceStore } from '../../functions/adapters/silence-store';
import { expireSilence, newSilence } from '../../functions/core/silences';
import { createStateTable } from '../helpers/table';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
const silence = (id: string) =>
  newSilence(
    { model: ['m1'], duration: '1h', comment: 'maintenance' },
    { id, now: NOW, createdBy: 'oncall', maxDurationSeconds: 86_400 },
  );

describe('SilenceStore (dynalite)', () => {
  let store: SilenceStore;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    const table = await createStateTable({ prefix: 'silences' });
    drop = table.drop;
    store = new SilenceStore({
      tableName: table.tableName,
      documentClient: DynamoDBDocumentClient.from(table.client),
    });
  });
  afterEach(() => drop());

  it('creates, reads, lists and expires silences', async () => {
    await store.create(silence('sil-a'));
    await store.create(silence('sil-b'));
    await expect(store.create(silence('sil-a'))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });

    expect(await store.get('sil-a')).toEqual(silence('sil-a'));
    expect(await store.get('sil-missing')).toBeUndefined();
    const expired = expireSilence(silence('sil-b'), NOW + 60_000);
    await store.replace(expired);
    expect((await store.list()).map((s) => [s.id, s.expiredAt])).toEqual([
      ['sil-a', undefined],
      ['sil-b', '2026-11-25T15:01:00.000Z'],
    ]);
  });

  it('never creates a silence by replacing an unknown one', async () => {
    await expect(store.replace(silence('sil-x'))).rejects.toBeInstanceOf(SilenceNotFoundError);
    expect(await store.list()).toEqual([]);
  });

  it('is re-read by the cache only once its time is up, and the last read holds when a re-read fails', async () => {
    const cache = new SilenceCache(store, 30_000);
    expect(await cache.current(NOW)).toEqual([]);
    await store.create(silence('sil-a'));
    expect(await cache.current(NOW + 29_000)).toEqual([]);
    expect((await cache.current(NOW + 30_000)).map((s) => s.id)).toEqual(['sil-a']);
    const failing = new SilenceCache(
      {
        list: jest
          .fn()
          .mockResolvedValueOnce([silence('s')])
          .mockRejectedValue(new Error('down')),
      },
      0,
    );
    expect((await failing.current(NOW)).map((s) => s.id)).toEqual(['s']);
    expect((await failing.current(NOW + 1)).map((s) => s.id)).toEqual(['s']);
    await expect(
      new SilenceCache({ list: jest.fn().mockRejectedValue(new Error('down')) }, 0).current(NOW),
    ).rejects.toThrow('down');
  });
});
