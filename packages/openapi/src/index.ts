import { definePlugin, PONTE_VERSION, Tokens, type ModelRegistry, type Validator } from '@ponte/core';
import { docRoutes, type DocRouteState } from './doc-routes.js';
import { DocumentCache } from './document-cache.js';
import { checkOptions, openApiOptionsSchema, type OpenApiOptions } from './options.js';
import { loadSwaggerUiAssets, makeAsset } from './swagger-ui-assets.js';
import { swaggerUiHtml, swaggerUiInitializer } from './swagger-ui-page.js';

export { buildDocument, type DocumentContext, type ModelCatalog } from './document.js';
export { DocumentCache, type CachedDocument } from './document-cache.js';
export { openApiOptionsSchema, type OpenApiOptions } from './options.js';
export type { SecurityContribution } from './security.js';
export type { OpenApiDocument, SchemaObject } from './openapi-types.js';
export { SWAGGER_UI_FILES, swaggerUiDistDir } from './swagger-ui-assets.js';

/** The plugin's private registration of its route state. */
const STATE = Symbol('ponte.openapi.state');

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
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * API documentation for a deployment: an OpenAPI 3.1 document at
 * `/openapi.json` describing the health, OIP v2 and named-feature routes and
 * every ready model's own paths (schemas from its signature and feature
 * config, working examples), and Swagger UI at `/docs`, served from the
 * installed `swagger-ui-dist` package with no network access.
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
  description: 'OpenAPI 3.1 document and Swagger UI for this deployment',
  configSchema: openApiOptionsSchema,
  register(ctx) {
    checkOptions(ctx.options);
    const state: DocRouteState = {};
    docRoutes(ctx.http, ctx.options, state);
    ctx.container.register(STATE, { useValue: state });
  },
  async start(ctx) {
    const state = ctx.container.resolve<DocRouteState>(STATE);
    const o = ctx.options;
    const registry = ctx.root.resolve<ModelRegistry>(Tokens.ModelRegistry);
    const validators = ctx.root.isRegistered(Tokens.Validator, true) ? ctx.root.resolveAll<Validator>(Tokens.Validator).map((v) => v.name) : [];
    const { server } = ctx.config;
    const title = o.title ?? `${server.name} — Ponte`;
    state.cache = new DocumentCache(registry, {
      serverName: server.name,
      serverVersion: PONTE_VERSION,
      bodyLimitBytes: server.bodyLimitBytes,
      requestTimeoutMs: server.requestTimeoutMs,
      validators,
      servers: o.servers,
      ...(o.title !== undefined ? { title: o.title } : {}),
    });
    if (!o.ui) return;
    const { version, files } = await loadSwaggerUiAssets();
    const page = { uiPath: o.uiPath, documentPath: o.path, title, assetVersion: version };
    const enc = new TextEncoder();
    files.set('index.html', await makeAsset('text/html; charset=utf-8', enc.encode(swaggerUiHtml(page))));
    files.set('swagger-initializer.js', await makeAsset('text/javascript; charset=utf-8', enc.encode(swaggerUiInitializer(page))));
    state.csp = contentSecurityPolicy(o.servers);
    state.assets = files;
  },
  stop(ctx) {
    const state = ctx.container.resolve<DocRouteState>(STATE);
    delete state.cache;
    delete state.assets;
  },
});
