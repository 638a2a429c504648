import type { Context } from 'hono';
import { PonteError } from '../errors.js';
import type { RequestContext } from '../inference.js';
import type { Parameter } from '../tensor.js';
import type { HttpEnv } from './http-env.js';

/** Header carrying a per-request deadline in milliseconds. */
export const TIMEOUT_HEADER = 'x-request-timeout-ms';

/** Builds the pipeline context of an HTTP request served through Hono. */
export function httpRequestContext(c: Context<HttpEnv>, endpoint: string, defaultTimeoutMs: number): RequestContext {
  const headers = (c.env?.incoming?.headers as Record<string, string | undefined> | undefined) ?? c.req.header();
  const ctx = restRequestContext(c.get('requestId'), headers, endpoint, defaultTimeoutMs);
  c.set('ctx', ctx);
  return ctx;
}

/** Builds the pipeline context of a REST request: request id, lower-cased headers, deadline. */
export function restRequestContext(requestId: string, headers: Record<string, string | undefined>, endpoint: string, defaultTimeoutMs: number): RequestContext {
  const startedAt = performance.now();
  const ctx: RequestContext = {
    requestId,
    protocol: 'rest',
    endpoint,
    headers,
    startedAt,
    following: 0,
    attributes: new Map(),
  };
  const header = ctx.headers[TIMEOUT_HEADER];
  let timeoutMs = defaultTimeoutMs;
  if (header !== undefined) {
    const v = Number(header);
    if (!Number.isFinite(v) || v <= 0) throw new PonteError('PONTE_BAD_REQUEST', `${TIMEOUT_HEADER}: must be a positive number of milliseconds`);
    timeoutMs = Math.min(v, defaultTimeoutMs);
  }
  ctx.deadline = startedAt + timeoutMs;
  return ctx;
}

/** Applies the OIP `timeout` request parameter (microseconds, as Triton defines it) to the deadline. */
export function applyTimeoutParameter(ctx: RequestContext, parameters: Record<string, Parameter> | undefined): void {
  const t = parameters?.['timeout'];
  if (t === undefined) return;
  if (typeof t !== 'number' || !(t > 0)) throw new PonteError('PONTE_BAD_REQUEST', 'parameters.timeout: must be a positive number of microseconds');
  const deadline = ctx.startedAt + t / 1000;
  if (ctx.deadline === undefined || deadline < ctx.deadline) ctx.deadline = deadline;
}
