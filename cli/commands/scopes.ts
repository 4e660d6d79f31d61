import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { fromItem, SCOPE_SORT_KEY } from '../../functions/adapters/state-repository';
import type { ScopeKind, ScopeState } from '../../functions/core/policy';
import { type CliContext, EXIT } from '../io';
import {
  dynamoDocumentClient,
  requireTarget,
  type StackTargetOptions,
  stackTargetFor,
} from '../stack-target';
import { formatTable } from '../table';

export interface ScopesOptions extends StackTargetOptions {
  readonly open?: boolean;
  readonly kind?: ScopeKind;
  readonly key?: string;
  readonly json?: boolean;
}
const HEADERS = ['KEY', 'KIND', 'TOTAL', 'OPEN', 'LAST SEEN', 'NEXT DUE'] as const;

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

/** What is open in a scope: its current incident or group, with its count and since when. */
function openOf(state: ScopeState): string {
  if (state.kind === 'counter' || !state.current) return '-';
  const { count, firstSeen, announced } = state.current;
  return `${count} since ${iso(firstSeen)}${announced ? '' : ' (not announced)'}`;
}

function table(states: readonly ScopeState[]): string[] {
  const rows = states.map((s) => [
    s.key,
    s.kind,
    String(s.total),
    openOf(s),
    iso(s.lastSeen),
    iso(s.nextDueAt),
  ]);
  return formatTable(HEADERS, rows);
}

/**
 * `triage scopes`: the scope records of the target stack's state table, decoded (they are stored deflated,
 * see docs/config.md), sorted by key. A Scan: meant for a look at the state, not for a hot path.
 */
export async function run(values: ScopesOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const kind = values.kind;
  const target = stackTargetFor(values, ctx);
  const tableName = requireTarget(target, 'tableName');
  const client = dynamoDocumentClient(target);

  const states: ScopeState[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: values.key ? 'sk = :sk AND begins_with(pk, :prefix)' : 'sk = :sk',
        ExpressionAttributeValues: {
          ':sk': SCOPE_SORT_KEY,
          ...(values.key ? { ':prefix': values.key } : {}),
        },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const state = fromItem<ScopeState>(item);
      if (kind !== undefined && state.kind !== kind) continue;
      if (values.open && (state.kind === 'counter' || !state.current)) continue;
      states.push(state);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  states.sort((a, b) => a.key.localeCompare(b.key));

  if (values.json) {
    for (const state of states) io.out(JSON.stringify(state));
    return EXIT.ok;
  }
  if (states.length === 0) {
    io.err(
      `no ${values.open ? 'open ' : ''}scopes in ${tableName}${values.key ? ` under "${values.key}"` : ''}`,
    );
    return EXIT.ok;
  }
  for (const line of table(states)) io.out(line);
  return EXIT.ok;
}
