import { Logger } from '@aws-lambda-powertools/logger';
import { optionalEnv } from './env';
import { SERVICE_NAME } from './service';

/** A Powertools logger for this service; the level comes from POWERTOOLS_LOG_LEVEL (Powertools reads it). */
export function createLogger(options: { readonly serviceName?: string } = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? optionalEnv('POWERTOOLS_SERVICE_NAME', SERVICE_NAME),
  });
}

/** The one logger of a function: handlers, adapters and the standard middleware share it. */
export const logger: Logger = createLogger();
