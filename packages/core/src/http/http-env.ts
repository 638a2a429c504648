import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../inference.js';

/**
 * Typed Hono context: the Node request/response (present when served by
 * @hono/node-server, absent under `app.request()`), and variables set by core middleware.
 */
export interface HttpEnv {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: {
    requestId: string;
    /** The pipeline context of this request, created by core middleware. */
    ctx: RequestContext;
  };
}
