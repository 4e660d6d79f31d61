import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentFunction } from '../../../local/lambda-context';
import type { RecordedCall, RecordedResource } from './recording';

/**
 * An SDK middleware, added by the tests to every AWS SDK v3 client, that records each call a production
 * handler makes: the function (the invocation that runs, `local/lambda-context.ts`), the IAM action and the
 * resource it targets, named by the environment variable that holds it (`TABLE_NAME`, `EVENTS_QUEUE_URL`…),
 * which is how the template names it too. Calls outside an invocation (test set-up, the local stack's own
 * pollers and printer) are not recorded: they are not the functions'.
 *
 * The handlers build their clients at module scope, so the middleware cannot be passed in: it is attached
 * on the first `send` of each client, by wrapping the one `Client.prototype.send` every SDK client and the
 * DynamoDB document client inherit (`@smithy/core/client`).
 */

/** The state table's partition key attribute, which IAM's `dynamodb:LeadingKeys` condition is about. */
export const PARTITION_KEY = 'pk';

interface SmithyClient {
  readonly middlewareStack: {
    add(
      middleware: (next: Next, context: CallContext) => Next,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}
type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface CallContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

const PATCHED = Symbol.for('fireworks-error-triage.aws-call-recorder');

/** Client class name → IAM service prefix. */
function servicePrefix(clientName: string): string {
  return clientName.replace(/Client$/, '').toLowerCase();
}

/** A DynamoDB attribute value, marshalled (`{S: 'x'}`) or not (the document client's input). */
function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { S?: unknown }).S === 'string')
    return (value as { S: string }).S;
  return undefined;
}

/** The partition keys a DynamoDB request names (`dynamodb:LeadingKeys`), from keys, items and key conditions. */
function leadingKeys(input: Record<string, unknown>): string[] | undefined {
  const keys: string[] = [];
  const fromItem = (item: unknown) => {
    const value = stringValue((item as Record<string, unknown> | undefined)?.[PARTITION_KEY]);
    if (value !== undefined) keys.push(value);
  };
  fromItem(input.Key);
  fromItem(input.Item);
  for (const key of (input.Keys as unknown[] | undefined) ?? []) fromItem(key);
  const condition = input.KeyConditionExpression;
  if (typeof condition === 'string') {
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    for (const [, name, placeholder] of condition.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
      if ((names[name as string] ?? name) === PARTITION_KEY) {
        const value = stringValue(values[placeholder as string]);
        if (value !== undefined) keys.push(value);
      }
    }
  }
  return keys.length > 0 ? keys : undefined;
}

/** Name a resource by the environment variable holding it, as the template does; else by its own name. */
function named(identifier: string, env: NodeJS.ProcessEnv): { env?: string; name?: string } {
  const variable = Object.keys(env)
    .sort()
    .find((name) => env[name] === identifier);
  return variable ? { env: variable } : { name: identifier };
}

/** The resources one call targets (a batch call may name several tables). */
export function targets(
  service: string,
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): RecordedResource[] {
  if (service === 'dynamodb') {
    const requestItems = input.RequestItems as Record<string, unknown> | undefined;
    if (requestItems) {
      return Object.entries(requestItems).map(([table, request]) => {
        const items: Record<string, unknown> = {};
        // BatchGetItem: { Keys }; BatchWriteItem: [{ PutRequest: { Item } } | { DeleteRequest: { Key } }].
        if (Array.isArray(request)) {
          items.Keys = request.map(
            (r: { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }) =>
              r.PutRequest?.Item ?? r.DeleteRequest?.Key,
          );
        } else items.Keys = (request as { Keys?: unknown[] }).Keys;
        const keys = leadingKeys(items);
        return { ...named(table, env), ...(keys ? { leadingKeys: keys } : {}) };
      });
    }
    if (typeof input.TableName !== 'string') return [{}];
    const keys = input.IndexName === undefined ? leadingKeys(input) : undefined;
    return [
      {
        ...named(input.TableName, env),
        ...(typeof input.IndexName === 'string' ? { index: input.IndexName } : {}),
        ...(keys ? { leadingKeys: keys } : {}),
      },
    ];
  }
  const identifier = input.QueueUrl ?? input.TopicArn ?? input.TargetArn ?? input.KeyId ?? input.SecretId;
  return [typeof identifier === 'string' ? named(identifier, env) : {}];
}

/**
 * Record every AWS call a production handler makes through `client` (the SDK's base client class), one JSON
 * line per distinct (function, action, resource) appended to the file `file()` names at the time (none: not
 * recorded). Idempotent.
 */
export function recordAwsCalls(file: () => string | undefined, client: { prototype: object }): void {
  const prototype = client.prototype as Record<PropertyKey, unknown> & {
    send: (...args: unknown[]) => unknown;
  };
  if (prototype[PATCHED]) return;
  prototype[PATCHED] = true;
  const seen = new Set<string>();
  const withRecorder = new WeakSet<object>();
  const middleware =
    (next: Next, context: CallContext): Next =>
    async (args) => {
      const fn = currentFunction();
      const path = file();
      if (fn && path && context.clientName && context.commandName) {
        const service = servicePrefix(context.clientName);
        const action = `${service}:${context.commandName.replace(/Command$/, '')}`;
        for (const resource of targets(service, args.input, process.env)) {
          const call: RecordedCall = { function: fn, action, resource };
          const line = JSON.stringify(call);
          if (!seen.has(`${path}\n${line}`)) {
            seen.add(`${path}\n${line}`);
            mkdirSync(dirname(path), { recursive: true });
            appendFileSync(path, `${line}\n`);
          }
        }
      }
      return next(args);
    };
  const send = prototype.send;
  prototype.send = function recordedSend(this: SmithyClient, ...args: unknown[]) {
    if (!withRecorder.has(this.middlewareStack)) {
      withRecorder.add(this.middlewareStack);
      this.middlewareStack.add(middleware, { step: 'initialize', name: 'awsCallRecorder', override: true });
    }
    return send.apply(this, args);
  };
}
