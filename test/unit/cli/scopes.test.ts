import { main } from '../../../cli/main';
import { createDocumentClient, StateRepository } from '../../../functions/adapters/state-repository';
import type { TriageEvent } from '../../../functions/core/event';
import { applyBatches, DEFAULT_POLICY, describeScope, type ScopeState } from '../../../functions/core/policy';
import { type CliTable, captureIo, startCliTable } from '../../helpers/cli-dynalite';

const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);

/** The record the engine makes of `events` at T0. */
function scopeOf(events: TriageEvent[]): ScopeState {
  const key = describeScope(events[0] as TriageEvent, DEFAULT_POLICY).key;
  return applyBatches(key, undefined, [{ batchId: key, receivedAt: T0, events }], T0, DEFAULT_POLICY)
    .state as ScopeState;
}

describe('triage scopes (dynalite)', () => {
  let cli: CliTable;
  let stackArgs: string[];
  const incident = scopeOf([{ id: 'a', status: 500, model: 'accounts/acme/models/m1' }]);
  const counter = scopeOf([
    { id: 'b', status: 429 },
    { id: 'c', status: 429 },
  ]);

  beforeAll(async () => {
    cli = await startCliTable('scopes-cli');
    stackArgs = cli.stackArgs;
    const repository = new StateRepository<ScopeState>({
      tableName: cli.tableName,
      documentClient: createDocumentClient(cli.client),
    });
    await repository.save(incident, undefined);
    await repository.save(counter, undefined);
    await repository.markSettled(['fp-1'], T0);
  });

  afterAll(() => cli.stop());

  it('lists every scope record, decoded, sorted by key, without the settled markers', async () => {
    const io = captureIo();
    expect(await main(['scopes', ...stackArgs], io)).toBe(0);
    expect(io.lines[0]).toMatch(/^KEY\s+KIND\s+TOTAL\s+OPEN\s+LAST SEEN\s+NEXT DUE$/);
    expect(io.lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['count#429', 'counter', '2'],
      [incident.key, 'incident', '1'],
    ]);
    expect(io.lines[2]).toContain(`1 since ${new Date(T0).toISOString()}`);
  });

  it('prints the whole records as JSON lines, filtered to open ones', async () => {
    const io = captureIo();
    expect(await main(['scopes', '--open', '--json', ...stackArgs], io)).toBe(0);
    expect(io.lines.map((l) => JSON.parse(l) as ScopeState)).toEqual([incident]);
  });

  it('filters by kind and key prefix, and says so when nothing matches', async () => {
    const byKind = captureIo();
    await main(['scopes', '--kind', 'counter', '--json', ...stackArgs], byKind);
    expect(byKind.lines.map((l) => (JSON.parse(l) as ScopeState).key)).toEqual(['count#429']);
    const none = captureIo();
    expect(await main(['scopes', '--key', 'account#', ...stackArgs], none)).toBe(0);
    expect(none.lines).toEqual([]);
    expect(none.errors.join('\n')).toMatch(/no scopes in .* under "account#"/);
  });

  it('rejects an unknown kind with a usage error (exit 2)', async () => {
    const io = captureIo();
    expect(await main(['scopes', '--kind', 'incidents', ...stackArgs], io)).toBe(2);
    expect(io.errors.join('\n')).toContain(
      "option '--kind <kind>' argument 'incidents' is invalid. Allowed choices are incident, account-issue, counter",
    );
  });
});
