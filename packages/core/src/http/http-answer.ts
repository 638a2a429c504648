import type { Logger } from 'pino';
import { isPonteError } from '../errors.js';

/** A response before it is written: transport-neutral, so Hono routes and the fast lane share handlers. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

export function jsonAnswer(value: unknown, status = 200, headers?: Record<string, string>): HttpAnswer {
  const a: HttpAnswer = { status, contentType: 'application/json', body: JSON.stringify(value) };
  if (headers !== undefined) a.headers = headers;
  return a;
}

/**
 * The one mapping from a thrown error to an HTTP answer:
 * `{"error": message, "code": "PONTE_…"}` with the code's status and headers.
 * Unexpected errors are logged with the request id and answered without detail.
 */
export function errorAnswer(err: unknown, requestId: string, logger: Logger): HttpAnswer {
  if (isPonteError(err)) {
    if (err.status >= 500) logger.error({ requestId, code: err.code, err: err.cause ?? err }, err.message);
    return jsonAnswer({ error: err.message, code: err.code }, err.status, err.headers);
  }
  logger.error({ requestId, err }, 'unhandled error');
  return jsonAnswer({ error: `internal server error (request id ${requestId})`, code: 'PONTE_INTERNAL' }, 500);
}
