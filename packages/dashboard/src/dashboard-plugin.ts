import { definePlugin } from '@ponte/core';
import { HttpTokens } from '@ponte/http';
import { makeStaticAsset as makeAsset } from '@ponte/http';
import { loadDashboardAssets } from './dashboard-assets.js';
import { dashboardHtml } from './dashboard-page.js';
import { dashboardRoutes, type DashboardFiles } from './dashboard-routes.js';
import { dashboardOptionsSchema, type DashboardOptions } from './options.js';

/**
 * The monitoring dashboard: a page at `/dashboard` that charts the report of
 * `@ponte/monitor` (`GET /v2/models/{name}/monitoring`) with uPlot, served
 * from the installed package — no CDN, no inline script or style. The page
 * and its assets hold no data and are public by default; the data is read by
 * the page's script through the gated routes, with a bearer token the user
 * pastes into the page.
 *
 * @example
 * ```yaml
 * plugins:
 *   - '@ponte/store-sqlite'
 *   - '@ponte/monitor'
 *   - package: '@ponte/dashboard'
 *     options: { refreshSeconds: 10 }
 * ```
 */
export const dashboardPlugin = definePlugin<DashboardOptions>({
  name: '@ponte/dashboard',
  kind: 'other',
  core: '^0.1.0',
  dependsOn: ['@ponte/http'],
  description: 'Monitoring dashboard at /dashboard: drift, data quality, performance and alerts over time',
  configSchema: dashboardOptionsSchema,
  register(ctx) {
    const files: DashboardFiles = {};
    const routes = ctx.resolve(HttpTokens.Routes);
    for (const r of dashboardRoutes(ctx.options.public, files)) routes.add(r, ctx.name);
    return {
      async start() {
        const assets = await loadDashboardAssets();
        // One version for every asset URL: any change to any file busts every cache.
        const assetVersion = [...assets.values()].map((a) => a.etag.slice(1, 9)).join('').slice(0, 16);
        const html = dashboardHtml({
          title: ctx.options.title ?? `${ctx.config.server.name} — monitoring`,
          refreshSeconds: ctx.options.refreshSeconds,
          windows: ctx.options.windows,
          assetVersion,
        });
        files.page = await makeAsset('text/html; charset=utf-8', new TextEncoder().encode(html));
        files.assets = assets;
      },
      stop() {
        delete files.page;
        delete files.assets;
      },
    };
  },
});
