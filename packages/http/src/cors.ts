import type { RequestListener } from 'node:http';
import type { PonteConfig } from '@ponte/core';
import type { HttpRouteTable } from './route-table.js';

type CorsConfig = NonNullable<PonteConfig['server']['cors']>;

/** Request headers a browser may send cross-origin unless `server.cors.headers` says otherwise: those Ponte reads. */
export const DEFAULT_CORS_HEADERS: readonly string[] = ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'x-request-timeout-ms', 'inference-header-content-length', 'traceparent'];

/** Answer headers a cross-origin page may read besides the CORS-safelisted ones. */
const EXPOSED = 'x-request-id, x-prediction-id, inference-header-content-length, retry-after, www-authenticate';

/**
 * `server.cors` as the listener applies it: which origins may call the REST
 * API from a browser, and the preflight answer they get. Off unless
 * configured; an origin not on the list gets no `Access-Control-Allow-*`
 * header, so the browser keeps the answer from the page. CORS only decides
 * what a browser lets a page read: the gate still authenticates every call.
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly allowHeaders: string;
  private readonly methods: readonly string[] | undefined;
  private readonly maxAge: string;

  constructor(config: CorsConfig) {
    this.anyOrigin = config.origins.includes('*');
    this.origins = new Set(config.origins.map((o) => o.toLowerCase()));
    this.allowHeaders = (config.headers ?? DEFAULT_CORS_HEADERS).map((h) => h.toLowerCase()).join(', ');
    this.methods = config.methods;
    this.maxAge = String(config.maxAgeSeconds);
  }

  /** Whether a page from `origin` may read answers. */
  allows(origin: string | undefined): origin is string {
    return origin !== undefined && (this.anyOrigin || this.origins.has(origin.toLowerCase()));
  }

  /** The headers every answer to an allowed origin carries (the origin is echoed, never `*`, so caches key on it). */
  answerHeaders(origin: string): Record<string, string> {
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED, Vary: 'Origin' };
  }

  /**
   * The headers of a 204 answering a preflight (`OPTIONS` with
   * `Access-Control-Request-Method`) from an allowed origin for a route the
   * table has, or undefined: the request then goes on to the table, whose
   * 404 or 405 carries no permission.
   */
  preflight(table: HttpRouteTable, method: string, url: string, headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> | undefined {
    if (method !== 'OPTIONS') return undefined;
    const origin = headers['origin'];
    const asked = headers['access-control-request-method'];
    if (typeof origin !== 'string' || typeof asked !== 'string' || !this.allows(origin)) return undefined;
    if (this.methods !== undefined && !this.methods.includes(asked)) return undefined;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const served = table.methodsFor(path);
    if (!(served as string[]).includes(asked) && !(asked === 'HEAD' && served.includes('GET'))) return undefined;
    return {
      ...this.answerHeaders(origin),
      'Access-Control-Allow-Methods': (this.methods ?? served).join(', '),
      'Access-Control-Allow-Headers': this.allowHeaders,
      'Access-Control-Max-Age': this.maxAge,
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    };
  }
}

/** The policy of a server config; undefined (CORS off) without `server.cors`. */
export function corsPolicyOf(server: PonteConfig['server']): CorsPolicy | undefined {
  return server.cors === undefined ? undefined : new CorsPolicy(server.cors);
}

/**
 * Wraps the REST listener with the CORS policy: preflights from allowed
 * origins are answered here (browsers send them without credentials, so they
 * cannot pass the gate), and answers to allowed origins carry
 * `Access-Control-Allow-Origin`. Without a policy, the listener itself.
 */
export function withCors(policy: CorsPolicy | undefined, table: HttpRouteTable, listener: RequestListener): RequestListener {
  if (policy === undefined) return listener;
  return (req, res) => {
    const pre = policy.preflight(table, req.method ?? 'GET', req.url ?? '/', req.headers);
    if (pre !== undefined) {
      res.writeHead(204, { ...pre, 'Content-Length': 0 });
      res.end();
      return;
    }
    const origin = req.headers.origin;
    if (policy.allows(origin)) for (const [k, v] of Object.entries(policy.answerHeaders(origin))) res.setHeader(k, v);
    // The answer depends on the Origin header whenever CORS is on: caches must not hand one origin's answer to another.
    else res.setHeader('Vary', 'Origin');
    listener(req, res);
  };
}
