import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeFileError } from './file-errors';
import { UsageError } from './io';

/**
 * The deployment config a `--config FILE` names: the CDK context keys of docs/config.md, either a file of
 * those keys or a `cdk.json` that holds them under `context` (where docs/config.md says to put them).
 */
export async function readConfigFile(file: string, cwd: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: ${describeFileError(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not a JSON file (${(error as Error).message})`);
  }
  if (!isObject(json)) throw new UsageError(`--config ${file}: expected a JSON object of config keys`);
  return isObject(json.context) ? json.context : json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
