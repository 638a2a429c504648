import type { RequestContext } from '../inference.js';

/** Typed Hono context variables set by core middleware. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    /** The pipeline context of this request, created by core middleware. */
    ctx: RequestContext;
  };
}
