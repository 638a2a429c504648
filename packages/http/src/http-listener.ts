import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { PonteError, type RequestPipeline, type RouteHandler } from '@ponte/core';
import type { HttpAnswer } from './http-answer.js';
import { HttpExchange } from './http-exchange.js';
import type { RequestLimits } from './request-limits.js';
import type { HttpRouteTable } from './route-table.js';

type Handler = RouteHandler<HttpExchange, HttpAnswer>;

/** Paths no route serves: a public "route" whose answer is the 404 or 405, so they are logged and counted like any request. */
function refusal(error: PonteError): Handler {
  return { respond: () => { throw error; } };
}

function safeMatch(table: HttpRouteTable, method: string, path: string): boolean {
  try {
    const m = table.match(method, path);
    return m !== undefined && 'route' in m;
  } catch {
    return false;
  }
}

/**
 * Matches a request against the route table and runs it through the
 * pipeline. Returns the exchange and the handler: the Node listener and the
 * fetch adapter differ only in where the request comes from and where the
 * answer goes.
 */
export function dispatch(table: HttpRouteTable, source: IncomingMessage | Request, headers: Record<string, string | undefined>, method: string, url: string, limits: RequestLimits): { exchange: HttpExchange; handler: Handler } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  let match;
  try {
    match = table.match(method, path);
  } catch (e) {
    return { exchange: new HttpExchange(source, headers, method, path, query, 'bad_path', 'public', false, {}, limits), handler: refusal(e as PonteError) };
  }
  if (match === undefined) {
    // A named-feature call without its verb is the commonest slip: say which route was meant.
    const hint = path.startsWith('/v1/models/') && !path.includes(':') && safeMatch(table, method, `${path}:predict`) ? ` (did you mean ${path}:predict?)` : '';
    return { exchange: new HttpExchange(source, headers, method, path, query, 'not_found', 'public', false, {}, limits), handler: refusal(new PonteError('PONTE_NOT_FOUND', `no route for ${method} ${path}${hint}`)) };
  }
  if ('allow' in match) {
    const allow = match.allow.join(', ');
    const error = new PonteError('PONTE_METHOD_NOT_ALLOWED', `${path} answers ${allow}, not ${method}`, { headers: { Allow: allow } });
    return { exchange: new HttpExchange(source, headers, method, path, query, 'method_not_allowed', 'public', false, {}, limits), handler: refusal(error) };
  }
  const { route, params } = match;
  const exchange = new HttpExchange(source, headers, method, path, query, route.name, route.action, route.tracked ?? route.action !== 'public', params, limits);
  if (route.renameErrors !== undefined) exchange.renameErrors = route.renameErrors;
  return { exchange, handler: route };
}

/**
 * The Node request listener of the REST protocol: every route, core's and
 * every plugin's, is matched against the one table and served straight from
 * Node's request and response through the pipeline. Going through a WHATWG
 * Request/Response costs about as much as the HTTP parsing itself (measured:
 * bare Hono answers 26k req/s where bare node:http answers 37k on one core),
 * which for small models is more than the model.
 */
export function httpListener(table: HttpRouteTable, pipeline: RequestPipeline, limits: RequestLimits): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const { exchange, handler } = dispatch(table, req, req.headers as Record<string, string | undefined>, method, req.url ?? '/', limits);
    void pipeline.handle(exchange, handler).then((a) => {
      const body = a.body;
      // nosniff: a browser must not read a JSON answer that echoes input as HTML or script.
      const headers: Record<string, string | number> = { 'x-request-id': exchange.requestId, 'X-Content-Type-Options': 'nosniff' };
      // Copied key by key: a spread after literal keys is a slow generic copy, on every logged answer (X-Prediction-Id).
      const extra = a.headers;
      if (extra !== undefined) for (const k in extra) headers[k] = extra[k]!;
      if (a.contentType !== undefined) headers['content-type'] = a.contentType;
      if (body !== undefined) headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      res.writeHead(a.status, headers);
      res.end(method === 'HEAD' ? undefined : body);
    });
  };
}
