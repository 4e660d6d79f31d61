import { ConfigError } from '../core/errors';

/** Handlers read their configuration once, at cold start: a missing variable fails the deploy's first call loudly. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Missing required environment variable ${name}`, [
      { path: name, message: 'required' },
    ]);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

/** A numeric variable; absent means `fallback`, anything that is not a finite number is a ConfigError. */
export function numberEnv(
  name: string,
  fallback: number,
  options: { readonly min?: number; readonly max?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = options;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(
      `Environment variable ${name} must be a number from ${min} to ${max}, got "${text}"`,
      [{ path: name, message: 'expected a number' }],
    );
  }
  return value;
}

/** 'true' / 'false' (case-insensitive); absent means `fallback`. */
export function booleanEnv(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`Environment variable ${name} must be "true" or "false", got "${env[name]}"`, [
    { path: name, message: 'expected true or false' },
  ]);
}
