import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The function whose invocation is running, as `AWS_LAMBDA_FUNCTION_NAME` tells it on Lambda: here several
 * functions share one process, so it follows the invocation's async context instead. One store per process
 * (a global symbol), even when this module is loaded twice (jest registries, tsx's CJS and ESM loaders):
 * the tests' AWS call recorder reads it to key each SDK call by the function that made it.
 */
const INVOCATION = Symbol.for('fireworks-error-triage.invocation');
const registry = globalThis as Record<symbol, unknown>;
registry[INVOCATION] ??= new AsyncLocalStorage<string>();
const invocations = registry[INVOCATION] as AsyncLocalStorage<string>;

/** Run `invoke` as an invocation of `functionName`: every SDK call it makes is that function's. */
export function asFunction<T>(functionName: string, invoke: () => T): T {
  return invocations.run(functionName, invoke);
}

/** The function whose invocation runs in this async context, if any. */
export function currentFunction(): string | undefined {
  return invocations.getStore();
}

/** A Lambda context good enough for middy and Powertools when a handler runs in this process. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
