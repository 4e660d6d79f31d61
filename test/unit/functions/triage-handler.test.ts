import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Notifier } from '../../../functions/adapters/notifier';
import { createDocumentClient, StateRepository } from '../../../functions/adapters/state-repository';
import type { TriageEvent } from '../../../functions/core/event';
import {
  applyBatches,
  batchFingerprint,
  DEFAULT_POLICY,
  rememberedFingerprints,
  type ScopeState,
  scopeKeysOf,
} from '../../../functions/core/policy';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { MAX_CONFLICT_RETRIES } from '../../../functions/triage/scope-updates';
import { createTriageHandler } from '../../../functions/triage/triage';
import { lambdaContext } from '../../fixtures/apigw';
import { batchRecord, sqsEvent, sqsRecord } from '../../fixtures/sqs';
import { FakeStateTable } from './triage-fake-table';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 5);
const RECEIVED_AT = Date.UTC(2026, 10, 25, 15, 0, 0);
const TOPICS = {
  support: 'arn:aws:sns:us-east-1:123456789012:support-escalations',
  account: 'arn:aws:sns:us-east-1:123456789012:account-issues',
};

const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

function event500(id: string, model = 'accounts/fireworks/models/llama-v3p1-8b-instruct'): TriageEvent {
  return { id, status: 500, message: 'Internal server error', model, account: 'acme', app: 'checkout' };
}

function setup() {
  const table = new FakeStateTable(ddb);
  const added = jest.spyOn(Metrics.prototype, 'addMetric');
  jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockReturnThis();
  const handler = createTriageHandler({
    config: DEFAULT_POLICY,
    repository: new StateRepository<ScopeState>({
      tableName: 'state',
      documentClient: createDocumentClient(),
      clock: () => NOW,
    }),
    notifier: new Notifier({ topicArns: TOPICS, snsClient: new SNSClient({ region: 'us-east-1' }) }),
    clock: () => NOW,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    plugin: { timeoutEarlyInMillis: 0 },
  });
  return {
    table,
    added,
    triage: (...records: ReturnType<typeof sqsRecord>[]) => handler(sqsEvent(...records), lambdaContext()),
  };
}

function published() {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  ddb.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('triage handler', () => {
  it('opens an incident for a 500: one saved scope, one notification to the support topic, empty outbox', async () => {
    const { table, triage } = setup();

    const result = await triage(sqsRecord());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(published()).toHaveLength(1);
    expect(published()[0]).toMatchObject({
      TopicArn: TOPICS.support,
      MessageStructure: 'json',
      MessageAttributes: expect.objectContaining({
        kind: { DataType: 'String', StringValue: 'incident.opened' },
      }),
    });
    const incidents = table.states().filter((s) => s.kind === 'incident');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.outbox).toEqual([]);
  });

  it('does not notify again when the same record is redelivered', async () => {
    const { table, triage } = setup();
    await triage(sqsRecord());
    const before = table.states();

    const result = await triage(sqsRecord());

    expect(result.batchItemFailures).toEqual([]);
    expect(published()).toHaveLength(1);
    expect(table.states().map((s) => s.total)).toEqual(before.map((s) => s.total));
  });

  it('writes once per scope however many events and records share it', async () => {
    const { table, triage } = setup();
    const records = Array.from({ length: 5 }, (_, r) =>
      batchRecord(`msg-${r}`, {
        batchId: `b-${r}`,
        receivedAt: RECEIVED_AT,
        events: Array.from({ length: 100 }, (_, i) => event500(`e-${r}-${i}`)),
      }),
    );

    await triage(...records);

    const scopes = table.states().length;
    // One create per scope, plus one outbox clean-up for the scope that notified.
    expect(ddb.commandCalls(PutCommand)).toHaveLength(scopes + 1);
    expect(published()).toHaveLength(1);
  });

  it('writes a scope ten messages touch first and alone: read strongly consistent, then its markers, then its write', async () => {
    const { table, triage } = setup();
    const records = Array.from({ length: 10 }, (_, r) =>
      batchRecord(`msg-${r}`, {
        batchId: `b-${r}`,
        receivedAt: RECEIVED_AT,
        events: [
          event500(`hot-${r}`),
          { id: `cold-${r}`, status: 401, message: 'Unauthorized', account: `cold-${r}`, app: 'batch' },
        ],
      }),
    );
    const hot = scopeKeysOf([parseQueueMessage(records[0]?.body ?? '')], DEFAULT_POLICY)[0] as string;

    await triage(...records);

    // What each call did, in order: scope reads (with their consistency), marker reads, scope writes.
    const trace = ddb.calls().flatMap((call) => {
      const command = call.args[0];
      if (command instanceof BatchGetCommand) {
        const request = command.input.RequestItems?.state;
        const pks = (request?.Keys ?? []).map((key) => String(key.pk));
        if (pks.every((pk) => pk.startsWith('settled#'))) return [`markers ${pks.length}`];
        const consistent = request?.ConsistentRead ? ' consistent' : '';
        return [`read ${pks.includes(hot) ? 'hot' : 'cold'} ${pks.length}${consistent}`];
      }
      if (command instanceof PutCommand) return [`write ${command.input.Item?.pk === hot ? 'hot' : 'cold'}`];
      return [];
    });
    expect(trace.slice(0, 3)).toEqual(['read hot 1 consistent', 'markers 10', 'write hot']);
    // The cold scopes (one message each) in one wave after it, read eventually consistent, markers after them.
    const coldRead = trace.indexOf('read cold 10');
    expect(coldRead).toBeGreaterThan(2);
    expect(trace[coldRead + 1]).toBe('markers 10');
    expect(trace.slice(coldRead + 2).filter((step) => step === 'write cold')).toHaveLength(10);
    expect(table.state(hot)?.total).toBe(10);
  });

  it('rereads markers in the second wave: a message a concurrent copy settled meanwhile is not applied again', async () => {
    const { table, triage } = setup();
    const cold = { id: 'cold-0', status: 401, message: 'Unauthorized', account: 'cold-0', app: 'batch' };
    const records = Array.from({ length: 10 }, (_, r) =>
      batchRecord(`msg-${r}`, {
        batchId: `b-${r}`,
        receivedAt: RECEIVED_AT,
        events: r === 0 ? [event500('hot-0'), cold] : [event500(`hot-${r}`)],
      }),
    );
    const first = parseQueueMessage(records[0]?.body ?? '');
    const [hot, coldKey] = scopeKeysOf([first], DEFAULT_POLICY) as [string, string];
    const fingerprint = batchFingerprint(first.batchId);
    let raced = false;
    table.beforePut = (item) => {
      if (raced || item.pk !== hot) return;
      raced = true;
      // While the hot scope is written, another copy of msg-0 saves both its scopes and settles it; a later
      // batch then makes the cold scope forget it.
      const copy1 = applyBatches(coldKey, undefined, [first], NOW, DEFAULT_POLICY).state as ScopeState;
      const later = applyBatches(
        coldKey,
        copy1,
        [{ batchId: 'later', receivedAt: RECEIVED_AT, events: [{ ...cold, id: 'l-1' }] }],
        NOW,
        DEFAULT_POLICY,
        { settled: new Set([fingerprint]) },
      ).state as ScopeState;
      table.put(later);
      table.items.set(`settled#${fingerprint}`, { pk: `settled#${fingerprint}`, sk: 'batch' });
    };

    const result = await triage(...records);

    expect(result.batchItemFailures).toEqual([]);
    // msg-0 once (the other copy) and the later batch: this copy added nothing to the cold scope.
    expect(table.state(coldKey)?.total).toBe(2);
    expect(table.state(hot)?.total).toBe(10);
  });

  it('reloads and re-applies when another writer saved the scope first', async () => {
    const { table, triage } = setup();
    let raced = false;
    table.beforePut = (item) => {
      if (raced) return;
      raced = true;
      // A concurrent invocation stores the same scope (another batch) just before our write.
      const other = applyBatches(
        String(item.pk),
        undefined,
        [{ batchId: 'other', receivedAt: RECEIVED_AT, events: [event500('o-1')] }],
        NOW,
        DEFAULT_POLICY,
      ).state as ScopeState;
      table.put({ ...other, version: 1 });
    };

    const result = await triage(sqsRecord());

    expect(result.batchItemFailures).toEqual([]);
    const incident = table.states().find((s) => s.kind === 'incident');
    // Both batches counted, in a version above the concurrent writer's.
    expect(incident?.total).toBe(2);
    expect(incident?.version).toBeGreaterThan(1);
  });

  it('reports the records of a scope whose write keeps failing, and only those', async () => {
    const { table, triage } = setup();
    const failingModel = 'accounts/fireworks/models/failing';
    table.beforePut = (item) => {
      if (JSON.stringify(item).includes(failingModel)) {
        throw new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: {} });
      }
    };

    const result = await triage(
      batchRecord('bad-scope', {
        batchId: 'b-1',
        receivedAt: RECEIVED_AT,
        events: [event500('e-1', failingModel)],
      }),
      batchRecord('good-scope', { batchId: 'b-2', receivedAt: RECEIVED_AT, events: [event500('e-2')] }),
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad-scope' }]);
    expect(published()).toHaveLength(1);
  });

  it('gives up after repeated conflicts and reports the record for redelivery', async () => {
    const { table, triage } = setup();
    const record = sqsRecord({ messageId: 'contended' });
    const key = scopeKeysOf([parseQueueMessage(record.body)], DEFAULT_POLICY)[0] as string;
    const earlier = applyBatches(
      key,
      undefined,
      [{ batchId: 'earlier', receivedAt: RECEIVED_AT, events: [event500('o-1')] }],
      NOW,
      DEFAULT_POLICY,
    ).state as ScopeState;
    table.put(earlier);
    // Every write loses the race: another writer always saved a newer version just before.
    table.beforePut = (item) => {
      const stored = table.items.get(String(item.pk)) as Record<string, unknown>;
      table.items.set(String(item.pk), { ...stored, version: Number(stored.version) + 1 });
    };

    const result = await triage(record);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'contended' }]);
    expect(published()).toHaveLength(0);
    // The first write and one per reload after a lost race.
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1 + MAX_CONFLICT_RETRIES);
  });

  it('keeps a notification whose publish failed in the outbox, without failing the record', async () => {
    const { table, triage, added } = setup();
    sns.on(PublishCommand).rejects(new Error('SNS unavailable'));

    const result = await triage(sqsRecord());

    expect(result.batchItemFailures).toEqual([]);
    const incident = table.states().find((s) => s.kind === 'incident');
    expect(incident?.outbox.map((intent) => intent.kind)).toEqual(['incident.opened']);
    expect(incident?.nextDueAt).toBeDefined();
    expect(added).toHaveBeenCalledWith('PublishFailures', 'Count', 1);
  });

  it('reports a record that does not parse and still triages the others', async () => {
    const { triage } = setup();

    const result = await triage(
      sqsRecord({ messageId: 'garbage', body: 'not json' }),
      sqsRecord({ messageId: 'wrong-shape', body: '{"v":2}' }),
      sqsRecord({ messageId: 'fine' }),
    );

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'garbage' },
      { itemIdentifier: 'wrong-shape' },
    ]);
    expect(published()).toHaveLength(1);
  });

  it('logs one line with the per-(status, model, account, app) counts of the events it saved', async () => {
    const { table, triage } = setup();
    const info = jest.spyOn(Logger.prototype, 'info');
    const failingModel = 'accounts/fireworks/models/failing';
    table.beforePut = (item) => {
      if (JSON.stringify(item).includes(failingModel)) {
        throw new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: {} });
      }
    };
    const rateLimited = (id: string, app: string): TriageEvent => ({ id, status: 429, model: 'm', app });

    await triage(
      batchRecord('saved', {
        batchId: 'b-1',
        receivedAt: RECEIVED_AT,
        events: [
          rateLimited('e-1', 'checkout'),
          rateLimited('e-2', 'search'),
          rateLimited('e-3', 'checkout'),
        ],
      }),
      batchRecord('redelivered', {
        batchId: 'b-2',
        receivedAt: RECEIVED_AT,
        events: [event500('e-4', failingModel)],
      }),
    );

    const lines = info.mock.calls.filter(([message]) => message === 'events triaged');
    expect(lines).toEqual([
      [
        'events triaged',
        {
          counts: [
            { status: 429, model: 'm', app: 'checkout', n: 2 },
            { status: 429, model: 'm', app: 'search', n: 1 },
          ],
        },
      ],
    ]);
    // One counter record for the status, whatever the apps.
    expect(
      table
        .states()
        .filter((s) => s.kind === 'counter')
        .map((s) => [s.key, s.total]),
    ).toEqual([['count#429', 3]]);
  });

  it('counts triaged events by status and category once their scope is saved', async () => {
    const { triage } = setup();
    const single = jest.spyOn(Metrics.prototype, 'addDimensions');

    await triage(sqsRecord());

    expect(single).toHaveBeenCalledWith({ status: '500', category: 'server-error' });
  });
});

describe('triage handler: settled messages (exactly-once counting)', () => {
  const failingModel = 'accounts/fireworks/models/failing';
  const DAYS_14 = 14 * 24 * 3600;
  const internalError = () =>
    new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: {} });

  it('marks a message settled once its scopes are saved: a marker kept 14 days, written after them', async () => {
    const { table, triage } = setup();
    const record = sqsRecord();
    const { batchId } = parseQueueMessage(record.body);

    await triage(record);

    expect([...table.markers().keys()]).toEqual([`settled#${batchFingerprint(batchId)}`]);
    expect(table.markers().get(`settled#${batchFingerprint(batchId)}`)).toEqual({
      pk: `settled#${batchFingerprint(batchId)}`,
      sk: 'batch',
      expiresAt: Math.floor(NOW / 1000) + DAYS_14,
    });
    const commands = ddb.calls().map((call) => call.args[0].constructor.name);
    expect(commands.lastIndexOf('PutCommand')).toBeLessThan(commands.indexOf('BatchWriteCommand'));
  });

  it('acknowledges a redelivered settled message without writing any scope, and counts the skip', async () => {
    const { table, triage, added } = setup();
    await triage(sqsRecord());
    const before = table.states();
    ddb.resetHistory();

    const result = await triage(sqsRecord({ messageId: 'again' }));

    expect(result.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(table.states()).toEqual(before);
    expect(published()).toHaveLength(1);
    expect(added).toHaveBeenCalledWith('RedeliveriesSkipped', 'Count', 1);
  });

  it('counts a message that failed on one scope and succeeded on another exactly once after its retry', async () => {
    const { table, triage } = setup();
    const record = batchRecord('split', {
      batchId: 'b-split',
      receivedAt: RECEIVED_AT,
      events: [event500('e-1'), event500('e-2', failingModel), event500('e-3')],
    });
    table.beforePut = (item) => {
      if (JSON.stringify(item).includes(failingModel)) throw internalError();
    };

    const first = await triage(record);
    table.beforePut = undefined;
    const retry = await triage(record);
    const again = await triage(record);

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'split' }]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const totals = table
      .states()
      .filter((s) => s.kind === 'incident')
      .map((s) => s.total)
      .sort();
    expect(totals).toEqual([1, 2]);
    expect([...table.markers().keys()]).toEqual([`settled#${batchFingerprint('b-split')}`]);
  });

  it('writes no marker while a scope of the message failed: the scopes that succeeded keep remembering it', async () => {
    const { table, triage } = setup();
    table.beforePut = (item) => {
      if (JSON.stringify(item).includes(failingModel)) throw internalError();
    };

    await triage(
      batchRecord('split', {
        batchId: 'b-split',
        receivedAt: RECEIVED_AT,
        events: [event500('e-1'), event500('e-2', failingModel)],
      }),
      batchRecord('fine', { batchId: 'b-fine', receivedAt: RECEIVED_AT, events: [event500('e-3')] }),
    );

    expect([...table.markers().keys()]).toEqual([`settled#${batchFingerprint('b-fine')}`]);
    const [incident] = table.states().filter((s) => s.kind === 'incident');
    expect(rememberedFingerprints(incident?.recentBatches ?? '')).toContain(batchFingerprint('b-split'));
  });

  it('does not fail the record when the marker write fails, and still never counts a redelivery twice', async () => {
    const { table, triage, added } = setup();
    table.beforeBatchWrite = () => {
      throw internalError();
    };

    const result = await triage(sqsRecord());
    const redelivered = await triage(sqsRecord());

    expect(result.batchItemFailures).toEqual([]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(added).toHaveBeenCalledWith('SettledMarkerFailures', 'Count', 1);
    expect(table.markers().size).toBe(0);
    // The scope's own memory covers the unsettled message.
    expect(table.states().map((s) => s.total)).toEqual([1]);
    expect(published()).toHaveLength(1);
  });

  it('forgets settled batches as it writes a scope, so a hot scope remembers only what is in flight', async () => {
    const { table, triage } = setup();

    for (let i = 0; i < 5; i++) {
      await triage(
        batchRecord(`m-${i}`, { batchId: `b-${i}`, receivedAt: RECEIVED_AT, events: [event500(`e-${i}`)] }),
      );
    }

    const [incident] = table.states().filter((s) => s.kind === 'incident');
    expect(incident?.total).toBe(5);
    expect(rememberedFingerprints(incident?.recentBatches ?? '')).toEqual([batchFingerprint('b-4')]);
  });

  it('does not read the markers it wrote itself: the next invocation asks only for its own messages', async () => {
    const { triage } = setup();
    const record = (i: number) =>
      batchRecord(`m-${i}`, { batchId: `b-${i}`, receivedAt: RECEIVED_AT, events: [event500(`e-${i}`)] });
    await triage(record(1));
    ddb.resetHistory();

    await triage(record(2));

    const markerReads = ddb
      .commandCalls(BatchGetCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.state?.Keys ?? [])
      .filter((key) => String(key.pk).startsWith('settled#'));
    // The scope remembers b-1, which this container settled: only b-2's marker is read.
    expect(markerReads).toEqual([{ pk: `settled#${batchFingerprint('b-2')}`, sk: 'batch' }]);
  });

  it('skips a message that a concurrent copy settled (and the scope forgot) while this copy lost the race', async () => {
    const { table, triage } = setup();
    const record = sqsRecord({ messageId: 'copy-2' });
    const batch = parseQueueMessage(record.body);
    const key = scopeKeysOf([batch], DEFAULT_POLICY)[0] as string;
    const fingerprint = batchFingerprint(batch.batchId);
    let raced = false;
    table.beforePut = () => {
      if (raced) return;
      raced = true;
      // Meanwhile: copy 1 applies the message and settles it; a later batch then makes the scope forget it.
      const copy1 = applyBatches(key, undefined, [batch], NOW, DEFAULT_POLICY).state as ScopeState;
      const later = applyBatches(
        key,
        copy1,
        [{ batchId: 'later', receivedAt: RECEIVED_AT, events: [event500('l-1')] }],
        NOW,
        DEFAULT_POLICY,
        { settled: new Set([fingerprint]) },
      ).state as ScopeState;
      table.put(later);
      table.items.set(`settled#${fingerprint}`, { pk: `settled#${fingerprint}`, sk: 'batch' });
    };

    const result = await triage(record);

    expect(result.batchItemFailures).toEqual([]);
    // The message once (copy 1) and the later batch: this copy added nothing.
    expect(table.state(key)?.total).toBe(2);
  });
});
