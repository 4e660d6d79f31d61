import { parseArgs } from 'node:util';
import { type TokenRecord, TokenStore } from '../../functions/adapters/token-store';
import { ValidationError } from '../../functions/core/errors';
import { isTokenScope, TOKEN_SCOPES } from '../../functions/core/token-scope';
import { type CliIo, EXIT, UsageError } from '../io';
import { dynamoDocumentClient, requireTarget, resolveStackTarget, TARGET_ARGS } from '../stack-target';
import { formatTable } from '../table';

export const usage =
  'token create --app NAME [--account ID] [--label TEXT] [--scope ingest|read|admin] | token list | token revoke <id>   [--stack FILE | --outputs FILE] [--json]   manage webhook tokens';

const HEADERS = ['ID', 'APP', 'SCOPE', 'ACCOUNT', 'LABEL', 'CREATED'] as const;

function table(records: readonly TokenRecord[]): string[] {
  const rows = records.map((r) => [r.tokenId, r.app, r.scope, r.account ?? '-', r.label ?? '-', r.createdAt]);
  return formatTable(HEADERS, rows);
}

/** `triage token create|list|revoke`: tokens of the webhook, in the target stack's state table. */
export async function run(args: string[], io: CliIo, now: () => Date = () => new Date()): Promise<number> {
  try {
    return await runToken(args, io, now);
  } catch (error) {
    // Bad names or ids are the caller's input: report them as usage errors (exit 2).
    if (error instanceof ValidationError) throw new UsageError(error.message);
    throw error;
  }
}

async function runToken(args: string[], io: CliIo, now: () => Date): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...TARGET_ARGS,
      app: { type: 'string' },
      account: { type: 'string' },
      label: { type: 'string' },
      scope: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, ...rest] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    throw new UsageError(
      `token needs an action: create, list or revoke${action ? ` (got "${action}")` : ''}`,
    );
  }
  if (action !== 'create' && (values.app || values.account || values.label || values.scope)) {
    throw new UsageError('--app, --account, --label and --scope only apply to `token create`');
  }
  if (values.scope !== undefined && !isTokenScope(values.scope)) {
    throw new UsageError(`--scope must be one of ${TOKEN_SCOPES.join(', ')} (got "${values.scope}")`);
  }
  if (action === 'create' && !values.app) {
    throw new UsageError('token create needs --app NAME (the app whose events the token sends)');
  }
  if (action === 'revoke' && rest.length !== 1) {
    throw new UsageError('token revoke needs exactly one token id, as shown by `token list`');
  }
  if (action !== 'revoke' && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);

  const target = resolveStackTarget({
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values.outputs ? { outputs: values.outputs } : {}),
  });
  const store = new TokenStore({
    tableName: requireTarget(target, 'tableName'),
    documentClient: dynamoDocumentClient(target),
    cacheSeconds: 0,
  });

  if (action === 'create') {
    const { token, record } = await store.create(
      {
        app: values.app as string,
        ...(values.account ? { account: values.account } : {}),
        ...(values.label ? { label: values.label } : {}),
        ...(values.scope ? { scope: values.scope } : {}),
      },
      now(),
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

  if (action === 'list') {
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

  const revoked = await store.revoke(rest[0] as string);
  if (values.json) io.out(JSON.stringify(revoked));
  else
    io.out(
      `revoked ${revoked.tokenId} (app ${revoked.app}${revoked.account ? `, account ${revoked.account}` : ''})`,
    );
  return EXIT.ok;
}
