import type { Context } from 'hono';
import { toPonteError } from '../errors.js';
import type { RequestContext } from '../inference.js';
import type { HttpAnswer } from './http-answer.js';
import type { HttpEnv } from './http-env.js';
import { httpRequestContext } from './request-context.js';
import type { HttpServices } from './services.js';

/**
 * Runs a data-plane handler: admits it through the lifecycle (so a drain
 * waits for it) and reports its outcome to the observers exactly once,
 * success or error. `makeContext` may throw (a bad header): that counts too.
 */
export async function runDataPlane<T extends { status: number }>(s: HttpServices, makeContext: () => RequestContext, handler: (ctx: RequestContext) => Promise<T>): Promise<T> {
  s.lifecycle.enter();
  try {
    const ctx = makeContext();
    s.pipeline.begin(ctx);
    try {
      const res = await handler(ctx);
      s.pipeline.end(ctx, res.status);
      return res;
    } catch (e) {
      const pe = toPonteError(e);
      s.pipeline.end(ctx, pe.status, pe.code);
      throw e;
    }
  } finally {
    s.lifecycle.leave();
  }
}

/** `runDataPlane` for a Hono route. */
export function dataPlane(c: Context<HttpEnv>, s: HttpServices, endpoint: string, handler: (ctx: RequestContext) => Promise<Response>): Promise<Response> {
  return runDataPlane(s, () => httpRequestContext(c, endpoint, s.config.server.requestTimeoutMs), handler);
}

/** Turns an answer into a Hono response. */
export function toResponse(c: Context<HttpEnv>, a: HttpAnswer): Response {
  return c.body(a.body as string, a.status as 200, { 'Content-Type': a.contentType, ...a.headers });
}
