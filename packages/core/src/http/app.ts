import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { accessLogger } from '../access-log.js';
import { PonteError } from '../errors.js';
import { toResponse } from './data-plane.js';
import { errorAnswer } from './http-answer.js';
import type { HttpEnv } from './http-env.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Core's routes and their methods, to tell a wrong method (405) from a wrong path (404). */
const CORE_ROUTES: Array<[RegExp, string]> = [
  [/^\/v2(\/health\/(live|ready))?$/, 'GET'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?(\/ready)?$/, 'GET'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/, 'POST'],
  [/^\/v1\/models$/, 'GET'],
  [/^\/v1\/models\/[^/]+(\/versions\/[^/]+)?:predict$/, 'POST'],
];

/** The caller's `X-Request-Id` when it is well-formed, else a new UUID. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The Hono app with core's cross-cutting behaviour: a request id on every
 * request (taken from `X-Request-Id` when it is well-formed, else generated, and
 * returned), one access-log line per request, and one error handler that turns
 * every failure into `{"error": "...", "code": "PONTE_..."}` with its status —
 * never a stack trace.
 */
export function createHttpApp(logger: Logger, logRequests: boolean): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const access = accessLogger(logger);

  app.use(async (c, next) => {
    const given = c.env?.incoming !== undefined ? (c.env.incoming.headers['x-request-id'] as string | undefined) : c.req.header('x-request-id');
    const requestId = requestIdFrom(given);
    c.set('requestId', requestId);
    // Set before the handler runs: setting a header on a finished response
    // makes the Node adapter materialise a full WHATWG Response (slow).
    c.header('X-Request-Id', requestId);
    const t0 = performance.now();
    await next();
    if (logRequests) {
      const ctx = c.get('ctx');
      access({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - t0) * 1000) / 1000, model: ctx?.model, version: ctx?.version });
    }
  });

  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json({ error: err.message || 'request failed', code: status === 413 ? 'PONTE_BODY_TOO_LARGE' : 'PONTE_BAD_REQUEST' }, status);
    }
    return toResponse(c, errorAnswer(err, c.get('requestId'), logger));
  });

  app.notFound((c) => {
    const allowed = CORE_ROUTES.find(([re]) => re.test(c.req.path))?.[1];
    const e = allowed !== undefined
      ? new PonteError('PONTE_METHOD_NOT_ALLOWED', `${c.req.path} answers ${allowed}, not ${c.req.method}`)
      : new PonteError('PONTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
    return c.json({ error: e.message, code: e.code }, e.status as 404, allowed !== undefined ? { Allow: allowed } : {});
  });
  return app;
}
