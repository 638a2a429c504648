import { Hono } from 'hono';
import type { RequestPipeline } from '@ponte/core';
import type { CorsPolicy } from './cors.js';
import { dispatch } from './http-listener.js';
import type { RequestLimits } from './request-limits.js';
import type { HttpRouteTable } from './route-table.js';

/**
 * The REST protocol behind the WHATWG fetch API, as a Hono app: the same
 * route table and pipeline as the Node listener, for in-process calls
 * (`app.request('/v2/models/purchase')` in tests and tools) and for runtimes
 * that speak fetch. Routing is the table's, so there is no second copy of any
 * route; Hono adapts Request and Response.
 *
 * @example
 * ```ts
 * const res = await ctx.resolve(HttpTokens.FetchApp).request('/v2/health/ready');
 * ```
 */
export function fetchApp(table: HttpRouteTable, pipeline: () => RequestPipeline, limits: RequestLimits, cors?: CorsPolicy): Hono {
  const app = new Hono();
  app.all('*', async (c) => {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const headers: Record<string, string> = {};
    raw.headers.forEach((v, k) => { headers[k] = v; });
    const preflight = cors?.preflight(table, raw.method, url.pathname, headers);
    if (preflight !== undefined) return new Response(null, { status: 204, headers: preflight });
    const { exchange, handler } = dispatch(table, raw, headers, raw.method, url.pathname + url.search, limits);
    const a = await pipeline().handle(exchange, handler);
    const out = new Headers({ 'x-request-id': exchange.requestId, 'X-Content-Type-Options': 'nosniff', ...a.headers });
    const origin = headers['origin'];
    if (cors?.allows(origin) === true) for (const [k, v] of Object.entries(cors.answerHeaders(origin))) out.set(k, v);
    if (a.contentType !== undefined) out.set('content-type', a.contentType);
    const body = raw.method === 'HEAD' || a.body === undefined ? null : typeof a.body === 'string' ? a.body : new Uint8Array(a.body);
    return new Response(body, { status: a.status, headers: out });
  });
  return app;
}
