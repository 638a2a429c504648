import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * The structured JSON logger. Authorization headers, API keys and cookies are
 * redacted whatever a caller passes, so a secret never reaches a log line.
 *
 * @example
 * ```ts
 * const log = createLogger('info');
 * log.info({ requestId }, 'request done');
 * ```
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'ponte' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['headers.authorization', 'headers["x-api-key"]', 'headers.cookie', '*.password', '*.secret', '*.token', '*.apiKey'],
      censor: '[REDACTED]',
    },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
