import { type TokenRecord, TokenStore } from '../../functions/adapters/token-store';
import { ValidationError } from '../../functions/core/errors';
import type { TokenScope } from '../../functions/core/token-scope';
import { type CliContext, EXIT, UsageError } from '../io';
import {
  dynamoDocumentClient,
  requireTarget,
  type StackTarget,
  type StackTargetOptions,
  stackTargetFor,
} from '../stack-target';
import { formatTable } from '../table';

export interface TokenOptions extends StackTargetOptions {
  readonly json?: boolean;
}

export interface TokenCreateOptions extends TokenOptions {
  /** Required (commander checks it is given). */
  readonly app: string;
  readonly account?: string;
  readonly label?: string;
  /** One of TOKEN_SCOPES, default `ingest` (commander checks and fills it). */
  readonly scope: TokenScope;
}

const HEADERS = ['ID', 'APP', 'SCOPE', 'ACCOUNT', 'LABEL', 'CREATED'] as const;

function table(records: readonly TokenRecord[]): string[] {
  const rows = records.map((r) => [r.tokenId, r.app, r.scope, r.account ?? '-', r.label ?? '-', r.createdAt]);
  return formatTable(HEADERS, rows);
}

/** Bad names or ids are the caller's input: report them as usage errors (exit 2). */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.message);
    throw error;
  }
}

function storeFor(values: TokenOptions, ctx: CliContext): { store: TokenStore; target: StackTarget } {
  const target = stackTargetFor(values, ctx);
  const store = new TokenStore({
    tableName: requireTarget(target, 'tableName'),
    documentClient: dynamoDocumentClient(target),
    cacheSeconds: 0,
  });
  return { store, target };
}

/** `triage token create`: a new token, shown once. */
export async function create(values: TokenCreateOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const { store } = storeFor(values, ctx);
  const { token, record } = await asUsage(() =>
    store.create(
      {
        app: values.app,
        ...(values.account ? { account: values.account } : {}),
        ...(values.label ? { label: values.label } : {}),
        scope: values.scope,
      },
      ctx.now(),
    ),
  );
  if (values.json) {
    io.out(JSON.stringify({ token, ...record }));
    return EXIT.ok;
  }
  io.out(`token: ${token}`);
  io.out(
    `id:    ${record.tokenId}   app: ${record.app}   scope: ${record.scope}${record.account ? `   account: ${record.account}` : ''}`,
  );
  io.err('Store the token now: it is not shown again (only its hash is kept).');
  return EXIT.ok;
}

/** `triage token list`. */
export async function list(values: TokenOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const { store, target } = storeFor(values, ctx);
  const records = await store.list();
  if (values.json) {
    for (const record of records) io.out(JSON.stringify(record));
    return EXIT.ok;
  }
  if (records.length === 0) {
    io.err(`no tokens in ${target.tableName}; create one with \`triage token create --app NAME\``);
    return EXIT.ok;
  }
  for (const line of table(records)) io.out(line);
  return EXIT.ok;
}

/** `triage token revoke <id>`. */
export async function revoke(id: string, values: TokenOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const { store } = storeFor(values, ctx);
  const revoked = await asUsage(() => store.revoke(id));
  if (values.json) io.out(JSON.stringify(revoked));
  else
    io.out(
      `revoked ${revoked.tokenId} (app ${revoked.app}${revoked.account ? `, account ${revoked.account}` : ''})`,
    );
  return EXIT.ok;
}
