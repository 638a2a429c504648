import type { Context, Hono } from 'hono';
import { PonteError, type HttpEnv } from '@ponte/core';
import type { DocumentCache } from './document-cache.js';
import type { OpenApiOptions } from './options.js';
import type { Asset } from './swagger-ui-assets.js';

/** What the routes serve, filled in by the plugin's `start`. */
export interface DocRouteState {
  cache?: DocumentCache;
  /** Swagger UI files by name: the dist files plus the generated page and initializer. */
  assets?: Map<string, Asset>;
  /** Content-Security-Policy of the UI page. */
  csp?: string;
}

/** Caching: the page and the document are revalidated every time (cheap 304s); versioned assets are immutable. */
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE_DAILY = 'public, max-age=86400';

function notStarted(): PonteError {
  return new PonteError('PONTE_SHUTTING_DOWN', 'the OpenAPI plugin is not started');
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

/** Sends bytes with an ETag, answering 304 to a matching If-None-Match and gzip to clients that accept it. */
function send(c: Context<HttpEnv>, a: Asset, cacheControl: string, extra: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { 'Cache-Control': cacheControl, ETag: a.etag, 'X-Content-Type-Options': 'nosniff', ...extra };
  if (a.gzip !== undefined) headers['Vary'] = 'Accept-Encoding';
  if (matches(c.req.header('if-none-match'), a.etag)) return c.body(null, 304, headers);
  headers['Content-Type'] = a.type;
  if (a.gzip !== undefined && /\bgzip\b/i.test(c.req.header('accept-encoding') ?? '')) {
    headers['Content-Encoding'] = 'gzip';
    return c.body(a.gzip as Uint8Array<ArrayBuffer>, 200, headers);
  }
  return c.body(a.body as Uint8Array<ArrayBuffer>, 200, headers);
}

/**
 * Adds the document route and, unless disabled, the Swagger UI routes. Routes
 * are added in `register` (Hono needs them before it serves) and read what
 * `start` prepared through `state`.
 */
export function docRoutes(app: Hono<HttpEnv>, options: OpenApiOptions, state: DocRouteState): void {
  const encoder = new TextEncoder();
  app.get(options.path, (c) => {
    if (state.cache === undefined) throw notStarted();
    const doc = state.cache.get();
    return send(c, { type: 'application/json; charset=utf-8', body: encoder.encode(doc.json), etag: doc.etag }, NO_CACHE);
  });
  if (!options.ui) return;

  const page = (c: Context<HttpEnv>): Response => {
    const a = state.assets?.get('index.html');
    if (a === undefined) throw notStarted();
    return send(c, a, NO_CACHE, state.csp !== undefined ? { 'Content-Security-Policy': state.csp } : {});
  };
  app.get(options.uiPath, page);
  app.get(`${options.uiPath}/`, page);
  app.get(`${options.uiPath}/:file`, (c) => {
    const file = c.req.param('file');
    if (state.assets === undefined) throw notStarted();
    // A lookup in a fixed table: the name never becomes a file path.
    const a = state.assets.get(file);
    if (a === undefined) throw new PonteError('PONTE_NOT_FOUND', `no Swagger UI asset named ${JSON.stringify(file.slice(0, 100))}`);
    if (file === 'index.html') return page(c);
    // Generated files change with the config, dist files only with the package version in their URL.
    const cacheControl = file === 'swagger-initializer.js' ? NO_CACHE : c.req.query('v') !== undefined ? IMMUTABLE : REVALIDATE_DAILY;
    return send(c, a, cacheControl, file === 'oauth2-redirect.html' && state.csp !== undefined ? { 'Content-Security-Policy': state.csp } : {});
  });
}
