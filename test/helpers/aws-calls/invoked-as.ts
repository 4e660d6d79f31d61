import { asFunction } from '../../../local/lambda-context';

/** A handler whose every invocation counts as `functionName`'s: its AWS calls are recorded under that name. */
export function invokedAs<A extends unknown[], R>(
  functionName: string,
  handler: (...args: A) => R,
): (...args: A) => R {
  return (...args) => asFunction(functionName, () => handler(...args));
}
