/**
 * A REST answer before it is written: status, content type, body and extra
 * headers. Route handlers return it; the listener writes it to Node's
 * response, the fetch adapter turns it into a `Response`.
 *
 * @example
 * ```ts
 * const a: HttpAnswer = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok\n' };
 * ```
 */
export interface HttpAnswer {
  status: number;
  /** Absent for answers without a body (304). */
  contentType?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** A JSON answer. */
export function jsonAnswer(value: unknown, status = 200, headers?: Record<string, string>): HttpAnswer {
  const a: HttpAnswer = { status, contentType: 'application/json', body: JSON.stringify(value) };
  if (headers !== undefined) a.headers = headers;
  return a;
}
