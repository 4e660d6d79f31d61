/** One problem with one input field; `path` is dotted/indexed, e.g. `events[3].status`. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Base of every error this service raises on purpose. `statusCode` is the HTTP answer it maps to. */
export class TriageError extends Error {
  override readonly name: string = 'TriageError';
  readonly statusCode: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that does not match the schema: safe to show to the caller (it names their fields only). */
export class ValidationError extends TriageError {
  override readonly name = 'ValidationError';
  override readonly statusCode = 400;
  readonly details: readonly FieldError[];
  constructor(message: string, details: readonly FieldError[] = []) {
    super(message);
    this.details = details;
  }
}

/** Configuration that does not match its schema; names the key. */
export class ConfigError extends TriageError {
  override readonly name = 'ConfigError';
  readonly details: readonly FieldError[];
  constructor(message: string, details: readonly FieldError[] = []) {
    super(message);
    this.details = details;
  }
}
