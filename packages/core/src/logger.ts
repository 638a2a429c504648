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
    base: { service: 'ponte', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      // Explicit paths only: wildcard paths double the cost of every log line.
      paths: ['headers.authorization', 'headers["x-api-key"]', 'headers.cookie', 'err.config', 'config'],
      censor: '[REDACTED]',
    },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // Asynchronous stdout: a synchronous write per request line costs more than
  // a small model's inference. Lines written while a write is in progress are
  // coalesced into the next one. Call `flushLogger` before exiting.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/** Writes out buffered log lines; call before `process.exit`. */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // the destination may already be closed
  }
}
