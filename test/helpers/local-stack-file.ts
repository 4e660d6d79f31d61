import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The admin token the stack files below hold. */
export const ADMIN_TOKEN = `fet_${'a'.repeat(43)}`;

/**
 * A local stack file, as `npm start` writes it, in a fresh temporary folder: for CLI tests of the commands
 * that call the HTTP API (their fetch is a fake, so nothing listens at its URL). `args` names it.
 */
export function localStackFile(
  prefix: string,
  fields: Record<string, unknown> = {},
): { readonly dir: string; readonly args: string[]; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'stack.json');
  writeFileSync(
    file,
    JSON.stringify({
      region: 'us-east-1',
      webhookUrl: 'http://127.0.0.1:3999/v1/events',
      adminToken: ADMIN_TOKEN,
      endpoints: {},
      ...fields,
    }),
  );
  return { dir, args: ['--stack', file], remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A JSON answer of the API, as the fake fetch returns it. */
export function jsonAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
