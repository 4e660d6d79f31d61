import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { logsPayload } from '../../../../bench/fixtures/logs-payload';
import { pick, seededRandom } from '../../../../bench/fixtures/random';
import { extractFromLine } from '../../../../functions/core/extract/extract-line';
import { extractFromLogsPayload, type LogsPayload } from '../../../../functions/core/extract/logs-payload';

/**
 * The extractor's exact output, recorded once (commit 2cd3b9f) so that speed work can prove it changes
 * no result: not one key, value or key order. Written by `write-extraction-snapshot.ts`, read by
 * `extraction-snapshot.test.ts`. Never rewrite it to make a change pass.
 */
export const SNAPSHOT_FILE = join(__dirname, '../../../fixtures/logs/extraction-snapshot.jsonl.gz');

const CORPUS_FILE = join(__dirname, '../../../fixtures/logs/labelled-lines.jsonl');
const LAMBDA_PREFIX = '2026-11-25T15:00:00.000Z\t8d3f2c1a-9b7e-4c2d-a1f0-3e5d7c9b1a2f\tERROR\t';

/** One line's result as the snapshot keeps it: the extraction's JSON text, `null` for none. */
export const render = (line: string): string => JSON.stringify(extractFromLine(line) ?? null);

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function corpusLines(): string[] {
  return readFileSync(CORPUS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { line: string }).line);
}

/** Every corpus line, and the same line as other loggers and wrappers would print it. */
function corpusVariants(): string[] {
  return corpusLines().flatMap((line) => [
    line,
    `${LAMBDA_PREFIX}${line}`,
    line.toLowerCase(),
    line.toUpperCase(),
    `  ${line}\t`,
    JSON.stringify({ level: 'error', message: line }),
    JSON.stringify({ level: 'error', error: { message: line, name: 'Error' } }),
    `${LAMBDA_PREFIX}${JSON.stringify({ msg: line, service: 'checkout' })}`,
    line.slice(0, Math.ceil(line.length / 2)),
  ]);
}

/** Pieces the patterns look for, near misses of them, and characters that case-fold oddly (ſ, K, İ). */
// biome-ignore format: a list of test fragments reads better packed
const FRAGMENTS = [
  'Error code:', 'Error code: ', 'error code ', 'status', 'Status', 'status=', 'statusCode', 'status_code',
  'status code', 'status code ', '"status": ', "'status': ", '"statusCode":', 'http.status_code=',
  'status is ', 'HTTP/1.1 ', 'HTTP/2 ', 'HTTP/1.1" ', 'HTTP ', 'HTTP_', 'http ', 'HTTP Error ',
  "Server error '", "client error '", ' Client Error', ' Server Error', 'Request failed with status code ',
  'returned ', 'responded with an ', 'failed with ', 'answered with HTTP ', 'got ', 'received a ', 'from',
  'response', 'when', 'calling', 'Too Many Requests', 'too many requests', 'Service Unavailable', 'Not Found',
  'Gateway Timeout', 'Gateway Time-out', 'Unknown Error', 'OK', 'Found', 'Created', 'found', ' (', ')', 'ms',
  'tokens', 's', 'seconds', '%', 'MiB', 'retries', 'attempts', 'requests', ' ', ' ', ' ', ' ', ':', ': ', '-',
  ' - ', '.', ',', '[', ']', '"', "'", '{', '}', '\t', '\n', '\\"', '429', '503', '500', '404', '401', '200',
  '302', '412', '520', '599', '600', '4291', '99', '0', '.5', ':1', 'RateLimitError', 'RateLimitError: ',
  'openai.', 'litellm.', 'fireworks.', 'langchain_openai.', 'NotFoundError', 'AuthenticationError',
  'PermissionError', 'Timeout', 'Error', 'Error: ', 'ERROR', 'ERROR] ', 'error', 'error ', 'Exception',
  'MyException: ', 'APIError: ', 'fireworks', 'Fireworks', 'FireworksError', 'ChatFireworks', 'fireworks_ai',
  'fireworks-client', 'api.fireworks.ai', 'https://api.fireworks.ai/inference/v1/chat/completions?x=1',
  'http://localhost:8080/v1/embeddings', '/v1/chat/completions', '/inference/v1/', '/api/orders',
  'accounts/acme/models/my-lora', 'accounts/fireworks/models/llama-v3p1-8b-instruct',
  'accounts/acme/deployedModels/x#accounts/acme/deployments/d1', 'model=', "'model': '", '"model": "',
  "'error': {", '"error": {', '\\"error\\": {', "'message': 'boom'", '"message": "it \\"broke\\""',
  '"detail": "nope"', '"type": "rate_limit_error"', "'type': 'server_error'", '"code": "NOT_FOUND"',
  "'code': 'invalid_api_key'", "'status': 'UNAVAILABLE'", '"status": "RESOURCE_EXHAUSTED"',
  'request_id=req_123456', 'x-request-id: abcdef12', 'requestId: "r-9f8e7d6c"', 'Bearer abcdefghijklmnop',
  'fw_ABCDEFGHIJKLMNOP', 'api_key=secret123', 'sk-proj-ABCDEFGHIJKLMNOPQRST', 'GET ', 'POST ', 'DELETE ',
  '"POST /v1/chat/completions HTTP/1.1" 502 10', '"GET /health HTTP/1.1" 404 2', 'rate limit', 'rate-limit',
  'RESOURCE_EXHAUSTED', 'unavailable', 'deadline_exceeded', 'Unauthenticated', 'permission_denied',
  'not_found', 'xception', 'rror', 'ſtatus', 'ſ', 'K', 'İ', 'é', 'ǅ', '\u00a0', '\u2028',
];

const SEPARATORS = [' ', ' ', ' ', ' ', '', '', ': ', ' - '];

/** Seeded token soup: lines that sit on the edges of the text patterns, the prefilter and the body readers. */
function textFuzz(count: number): string[] {
  const random = seededRandom(7);
  return Array.from({ length: count }, () => {
    const parts = 2 + Math.floor(random() * 12);
    let line = pick(random, FRAGMENTS);
    for (let i = 1; i < parts; i++) line += pick(random, SEPARATORS) + pick(random, FRAGMENTS);
    return random() < 0.2 ? `${LAMBDA_PREFIX}${line}` : line;
  });
}

// biome-ignore format: a list of test fragments reads better packed
const KEYS = [
  'status', 'statusCode', 'status_code', 'http.status_code', 'upstream_status', 'responseStatus', 'res',
  'response', 'req', 'request', 'http', 'url', 'originalUrl', 'endpoint', 'path', 'error', 'err', 'exception',
  'lastError', 'cause', 'errors', 'code', 'type', 'message', 'msg', 'errorMessage', 'event', 'detail', 'name',
  'errorType', 'responseBody', 'model', 'model_name', 'modelId', 'account', 'accountId', 'service', 'app',
  'env', 'environment', 'requestId', 'request_id', 'x-request-id', 'method', '_aws', 'level', 'data', 'body',
];

function jsonValue(random: () => number, depth: number): unknown {
  const r = random();
  if (depth < 4 && r < 0.25) return jsonObject(random, depth + 1);
  if (r < 0.3) return [pick(random, [429, 'x', 503])];
  if (r < 0.5) return pick(random, [200, 204, 301, 404, 429, 500, 503, 520, 600, 99, 503.5, -1, 0]);
  if (r < 0.6) return pick(random, ['503', '200', '0429', 'NOT_FOUND', 'rate_limit_error', 'UNAVAILABLE']);
  if (r < 0.65) return pick(random, [null, true, false, '']);
  if (r < 0.75)
    return pick(random, [
      '/v1/chat/completions',
      '/api/orders',
      'https://api.fireworks.ai/inference/v1/completions',
      'POST',
      'get',
      'accounts/acme/models/x',
    ]);
  return textFuzzOne(random);
}

function textFuzzOne(random: () => number): string {
  let line = '';
  for (let i = 1 + Math.floor(random() * 6); i > 0; i--) line += pick(random, FRAGMENTS);
  return line;
}

function jsonObject(random: () => number, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 1 + Math.floor(random() * 5); i > 0; i--)
    object[pick(random, KEYS)] = jsonValue(random, depth);
  return object;
}

/** Seeded structured log records: nested status, error, URL and message keys; some prefixed or cut short. */
function jsonFuzz(count: number): string[] {
  const random = seededRandom(13);
  return Array.from({ length: count }, () => {
    const text = JSON.stringify(jsonObject(random, 0));
    const r = random();
    if (r < 0.15) return `${LAMBDA_PREFIX}${text}`;
    if (r < 0.22) return text.slice(0, Math.floor(random() * text.length));
    if (r < 0.27) return ` ${text} `;
    return text;
  });
}

/** Lines whose input the snapshot stores beside the result (small, and independent of other fixtures). */
export function ownLines(): string[] {
  return [...corpusVariants(), ...textFuzz(6000), ...jsonFuzz(4000)];
}

/** The benchmark's payload (`npm run bench`): results only, its ~19 500 lines are regenerated by the test. */
export function benchPayload(): LogsPayload {
  const fixture = logsPayload();
  return JSON.parse(gunzipSync(Buffer.from(fixture.data, 'base64')).toString('utf8')) as LogsPayload;
}

/** The whole-payload results (events, counts) for both provider settings, as digests. */
export function payloadDigests(payload: LogsPayload): { all: string; fireworksOnly: string } {
  return {
    all: sha256(JSON.stringify(extractFromLogsPayload(payload, { includeNonFireworks: true }))),
    fireworksOnly: sha256(JSON.stringify(extractFromLogsPayload(payload, { includeNonFireworks: false }))),
  };
}

export interface SnapshotHeader {
  /** sha256 of the bench payload's messages joined by newlines: says when the generator changed. */
  readonly payloadInputs: string;
  readonly payloadLines: number;
  readonly payloadResults: { readonly all: string; readonly fireworksOnly: string };
}

export type SnapshotRecord = { readonly line: string; readonly out: string } | { readonly out: string };

export const payloadInputsDigest = (payload: LogsPayload): string =>
  sha256(payload.logEvents.map((event) => event.message).join('\n'));
