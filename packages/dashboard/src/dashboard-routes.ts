import { PonteError, type RouteAction } from '@ponte/core';
import { htmlSecurityHeaders, type HttpAnswer, type HttpExchange, type HttpRoute } from '@ponte/http';
import type { Asset } from './asset.js';
import { DASHBOARD_CSP } from './dashboard-page.js';

/** What the routes serve, filled by the plugin's `start`. */
export interface DashboardFiles {
  page?: Asset;
  assets?: Map<string, Asset>;
}

const TAG = 'Monitoring';
/** The page is revalidated every time (a cheap 304); assets with a version in their URL are immutable. */
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function notStarted(): PonteError {
  return new PonteError('PONTE_SHUTTING_DOWN', 'the dashboard plugin is not started');
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

/** Sends bytes with an ETag, answering 304 to a matching If-None-Match and gzip to clients that accept it. */
function send(x: HttpExchange, a: Asset, cacheControl: string, extra: Record<string, string> = {}): HttpAnswer {
  const headers: Record<string, string> = { 'Cache-Control': cacheControl, ETag: a.etag, 'X-Content-Type-Options': 'nosniff', ...extra };
  if (a.gzip !== undefined) headers['Vary'] = 'Accept-Encoding';
  if (matches(x.headers['if-none-match'], a.etag)) return { status: 304, headers };
  if (a.gzip !== undefined && /\bgzip\b/i.test(x.headers['accept-encoding'] ?? '')) {
    headers['Content-Encoding'] = 'gzip';
    return { status: 200, contentType: a.type, body: a.gzip, headers };
  }
  return { status: 200, contentType: a.type, body: a.body, headers };
}

/**
 * `GET /dashboard` (the page) and `GET /dashboard/{file}` (its script, its
 * style and uPlot's). They hold no data: `public` by default, the `monitor`
 * action otherwise. Not tracked: loading the page is not API traffic.
 */
export function dashboardRoutes(isPublic: boolean, files: DashboardFiles): HttpRoute[] {
  const action: RouteAction = isPublic ? 'public' : 'monitor';
  const page = (x: HttpExchange): HttpAnswer => {
    if (files.page === undefined) throw notStarted();
    return send(x, files.page, NO_CACHE, htmlSecurityHeaders(DASHBOARD_CSP));
  };
  return [
    { method: 'GET', path: '/dashboard', name: 'dashboard', action, tracked: false, docs: { operationId: 'dashboard', summary: 'Monitoring dashboard (HTML)', tag: TAG }, respond: page },
    { method: 'GET', path: '/dashboard/', name: 'dashboard', action, tracked: false, docs: { operationId: 'dashboardSlash', summary: 'Monitoring dashboard (HTML)', tag: TAG }, respond: page },
    {
      method: 'GET', path: '/dashboard/{file}', name: 'dashboard_asset', action, tracked: false,
      docs: { operationId: 'dashboardAsset', summary: 'Monitoring dashboard asset (app.js, app.css, uplot.js, uplot.css)', tag: TAG },
      respond(x) {
        if (files.assets === undefined) throw notStarted();
        const file = x.params['file']!;
        // A lookup in a fixed table: the name never becomes a file path.
        const a = files.assets.get(file);
        if (a === undefined) throw new PonteError('PONTE_NOT_FOUND', `no dashboard asset named ${JSON.stringify(file.slice(0, 100))} (there are ${[...files.assets.keys()].join(', ')})`);
        return send(x, a, x.query.get('v') !== null ? IMMUTABLE : NO_CACHE);
      },
    },
  ];
}
