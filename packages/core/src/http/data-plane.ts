import type { Context } from 'hono';
import { toPonteError } from '../errors.js';
import type { RequestContext } from '../inference.js';
import type { HttpEnv } from './http-env.js';
import { httpRequestContext } from './request-context.js';
import type { HttpServices } from './services.js';

/**
 * Wraps a data-plane handler: admits it through the lifecycle (so a drain
 * waits for it), creates its pipeline context and reports its outcome to the
 * observers exactly once, success or error.
 */
export async function dataPlane(c: Context<HttpEnv>, s: HttpServices, endpoint: string, handler: (ctx: RequestContext) => Promise<Response>): Promise<Response> {
  s.lifecycle.enter();
  try {
    const ctx = httpRequestContext(c, endpoint, s.config.server.requestTimeoutMs);
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
