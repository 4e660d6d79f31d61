import { gunzipSync } from 'node:zlib';
import { TriageError, ValidationError } from '../core/errors';
import { type LogsPayload, parseLogsPayload } from '../core/extract/logs-payload';

/**
 * CloudWatch Logs sends at most 1 MB compressed; logs compress ~10–50×. Beyond this the payload is
 * refused rather than risking the function's memory on a gzip bomb.
 */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/**
 * Gunzip runs synchronously: a Lambda container handles one event at a time, so the thread pool frees
 * nothing, and its round trips cost more than the inflating. A 1 MB payload (~7 MB of JSON): ~7 ms sync,
 * 24–26 ms async with zlib's default 16 KiB output chunks (~450 round trips), ~8 ms async with 1 MiB
 * chunks; a payload of a few KB: ~7 µs sync, ~70 µs async.
 */
export const GUNZIP_OPTIONS = { maxOutputLength: MAX_DECOMPRESSED_BYTES } as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Is `data` base64 (by the regex above)? `bytes` is what Buffer.from made of it. */
export function isBase64Of(bytes: Buffer, data: string): boolean {
  return bytes.toString('base64') === data || BASE64.test(data);
}

/** A subscription payload that can never be read: retrying it cannot help. */
export class MalformedLogsPayloadError extends TriageError {
  override readonly name = 'MalformedLogsPayloadError';
  override readonly statusCode = 400;
}

/** Where in the decoding a payload failed, for the log line and the metric. */
export type DecodeStage = 'shape' | 'base64' | 'gzip' | 'json' | 'schema';

export class DecodeFailure extends MalformedLogsPayloadError {
  readonly stage: DecodeStage;
  constructor(stage: DecodeStage, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.stage = stage;
  }
}

/**
 * `{ awslogs: { data } }` → the decoded payload: base64, then gzip, then JSON, then the schema.
 * node:zlib + a zod/mini schema instead of Powertools parser's CloudWatch envelope, which would add
 * full `zod` (~450 KB) to this function's bundle and cold start.
 */
export async function decodeLogsPayload(event: unknown): Promise<LogsPayload> {
  const data = (event as { awslogs?: { data?: unknown } } | null | undefined)?.awslogs?.data;
  if (typeof data !== 'string' || data.length === 0) {
    throw new DecodeFailure('shape', 'event has no awslogs.data string');
  }
  const bytes = Buffer.from(data, 'base64');
  // Buffer.from silently skips characters that are not base64. Canonical base64 (what CloudWatch Logs
  // sends) encodes back to itself, which is cheaper to check than a regex over the whole ~1.3 MB; only
  // other input takes the regex.
  if (!isBase64Of(bytes, data)) throw new DecodeFailure('base64', 'awslogs.data is not base64');
  let text: string;
  try {
    const json = gunzipSync(bytes, GUNZIP_OPTIONS);
    text = json.toString('utf8');
  } catch (error) {
    throw new DecodeFailure('gzip', `awslogs.data is not gzip: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch (error) {
    throw new DecodeFailure('json', `awslogs.data is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return parseLogsPayload(decoded);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new DecodeFailure('schema', error.message, { cause: error });
  }
}
