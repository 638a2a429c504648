import { definePlugin, Tokens } from '@ponte/core';
import { HttpTokens } from '@ponte/http';
import { docRoutes, type DocAssets } from './doc-routes.js';
import { DocumentCache } from './document-cache.js';
import { checkOptions, openApiOptionsSchema, type OpenApiOptions } from './options.js';
import { makeStaticAsset as makeAsset } from '@ponte/http';
import { loadSwaggerUiAssets } from './swagger-ui-assets.js';
import { swaggerUiHtml, swaggerUiInitializer } from './swagger-ui-page.js';

export { buildDocument, type DocumentContext, type ModelCatalog } from './document.js';
export { DocumentCache, type CachedDocument } from './document-cache.js';
export { openApiOptionsSchema, type OpenApiOptions } from './options.js';
export type { SecurityContribution } from './security.js';
export type { OpenApiDocument, SchemaObject } from './openapi-types.js';
export { SWAGGER_UI_FILES, swaggerUiDistDir } from './swagger-ui-assets.js';

/** Origins the UI page may call besides its own: those of absolute `servers` URLs ("Try it out"). */
function contentSecurityPolicy(servers: readonly string[]): string {
  const origins = [...new Set(servers.flatMap((s) => (/^https?:\/\//.test(s) ? [new URL(s).origin] : [])))];
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Swagger UI (React) sets style attributes; its CSS embeds SVG icons as data: URLs.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${origins.map((o) => ` ${o}`).join('')}`,
    "base-uri 'none'",
    "form-action 'self'",
    // The page is never framed (clickjacking); OAuth flows return to it in a popup, not a frame.
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * API documentation for a deployment: an OpenAPI 3.1 document at
 * `/openapi.json` describing every route of the REST route table (the
 * protocol's and every plugin's) and every ready model's own paths (schemas
 * from its signature and feature config, working examples), and Swagger UI at
 * `/docs`, served from the installed `swagger-ui-dist` package with no network
 * access. Both are `read` routes behind the gate unless `public: true`.
 *
 * @example
 * ```yaml
 * plugins:
 *   - '@ponte/onnx'
 *   - package: '@ponte/openapi'
 *     options: { uiPath: /docs, servers: ['https://models.example.com'] }
 * ```
 */
export default definePlugin<OpenApiOptions>({
  name: '@ponte/openapi',
  kind: 'other',
  core: '^0.1.0',
  dependsOn: ['@ponte/http'],
  description: 'OpenAPI 3.1 document and Swagger UI for this deployment',
  configSchema: openApiOptionsSchema,
  register(ctx) {
    const routes = ctx.resolve(HttpTokens.Routes);
    checkOptions(ctx.options, [...new Set(routes.list().map((r) => `/${r.path.split('/')[1]}`))]);
    const assets: DocAssets = {};
    for (const r of docRoutes(ctx.options, assets)) routes.add(r, ctx.name);
    return {
      async start() {
        const o = ctx.options;
        const { server } = ctx.config;
        const info = ctx.resolve(Tokens.ServerInfo);
        const title = o.title ?? `${server.name} — Ponte`;
        assets.cache = new DocumentCache(ctx.resolve(Tokens.ModelRegistry), {
          serverName: server.name,
          serverVersion: info.version,
          bodyLimitBytes: server.bodyLimitBytes,
          requestTimeoutMs: server.requestTimeoutMs,
          validators: ctx.resolveAll(Tokens.Validator).map((v) => v.name),
          servers: o.servers,
          routes: routes.list(),
          ...(o.title !== undefined ? { title: o.title } : {}),
        });
        if (!o.ui) return;
        const { version, files } = await loadSwaggerUiAssets();
        const page = { uiPath: o.uiPath, documentPath: o.path, title, assetVersion: version };
        const enc = new TextEncoder();
        files.set('index.html', await makeAsset('text/html; charset=utf-8', enc.encode(swaggerUiHtml(page))));
        files.set('swagger-initializer.js', await makeAsset('text/javascript; charset=utf-8', enc.encode(swaggerUiInitializer(page))));
        assets.csp = contentSecurityPolicy(o.servers);
        assets.files = files;
      },
      stop() {
        delete assets.cache;
        delete assets.files;
      },
    };
  },
});
