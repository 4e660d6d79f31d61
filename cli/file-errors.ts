/** What went wrong reading a file, in words a user can act on (never a bare ENOENT). */
export function describeFileError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file (check the path; relative paths start from the working directory)';
    case 'EACCES':
    case 'EPERM':
      return 'not allowed to read it (check its permissions)';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return `cannot be read (${(error as Error).message})`;
  }
}

/** Why a connection failed, in words; undefined when the error is not a connection failure. */
export function describeConnectionError(error: unknown): string | undefined {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.cause?.code ?? e.code ?? /\b(E[A-Z]{4,})\b/.exec(e.message ?? '')?.[1];
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing is listening there';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve (check the URL and your network)';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was cut';
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'the host cannot be reached (check your network or VPN)';
    default:
      return undefined;
  }
}
