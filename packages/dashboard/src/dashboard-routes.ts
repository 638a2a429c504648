import { PonteError, type RouteAction } from '@ponte/core';
import { htmlSecurityHeaders, sendStaticAsset, type HttpAnswer, type HttpExchange, type HttpRoute, type StaticAsset as Asset } from '@ponte/http';
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

/**
 * `GET /dashboard` (the page) and `GET /dashboard/{file}` (its script, its
 * style and uPlot's). They hold no data: `public` by default, the `monitor`
 * action otherwise. Not tracked: loading the page is not API traffic.
 */
export function dashboardRoutes(isPublic: boolean, files: DashboardFiles): HttpRoute[] {
  const action: RouteAction = isPublic ? 'public' : 'monitor';
  const page = (x: HttpExchange): HttpAnswer => {
    if (files.page === undefined) throw notStarted();
    return sendStaticAsset(x, files.page, NO_CACHE, htmlSecurityHeaders(DASHBOARD_CSP));
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
        return sendStaticAsset(x, a, x.query.get('v') !== null ? IMMUTABLE : NO_CACHE);
      },
    },
  ];
}
