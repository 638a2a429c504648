import { PonteError, type RouteAction } from '@ponte/core';
import { htmlSecurityHeaders, sendStaticAsset, type HttpAnswer, type HttpExchange, type HttpRoute, type StaticAsset as Asset } from '@ponte/http';
import type { DocumentCache } from './document-cache.js';
import type { OpenApiOptions } from './options.js';

/** What the routes serve, prepared by the plugin's `start`. */
export interface DocAssets {
  cache?: DocumentCache;
  /** Swagger UI files by name: the dist files plus the generated page and initializer. */
  files?: Map<string, Asset>;
  /** Content-Security-Policy of the UI page. */
  csp?: string;
}

/** Caching: the page and the document are revalidated every time (cheap 304s); versioned assets are immutable. */
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE_DAILY = 'public, max-age=86400';
const TAG = 'Documentation';

function notStarted(): PonteError {
  return new PonteError('PONTE_SHUTTING_DOWN', 'the OpenAPI plugin is not started');
}

/**
 * The document route and, unless disabled, the Swagger UI routes, as REST
 * route table entries. They are added in `register` and read what `start`
 * prepared through `assets`. Their action is `read` (behind the gate like
 * model metadata), or `public` with the plugin's `public: true`.
 */
export function docRoutes(options: OpenApiOptions, assets: DocAssets): HttpRoute[] {
  const action: RouteAction = options.public ? 'public' : 'read';
  const encoder = new TextEncoder();
  const routes: HttpRoute[] = [{
    method: 'GET', path: options.path, name: 'openapi_document', action, tracked: false,
    docs: { operationId: 'openApiDocument', summary: 'This OpenAPI document', tag: TAG },
    respond(x) {
      if (assets.cache === undefined) throw notStarted();
      const doc = assets.cache.get();
      return sendStaticAsset(x, { type: 'application/json; charset=utf-8', body: encoder.encode(doc.json), etag: doc.etag }, NO_CACHE);
    },
  }];
  if (!options.ui) return routes;

  const page = (x: HttpExchange): HttpAnswer => {
    const a = assets.files?.get('index.html');
    if (a === undefined) throw notStarted();
    return sendStaticAsset(x, a, NO_CACHE, assets.csp !== undefined ? htmlSecurityHeaders(assets.csp) : {});
  };
  routes.push(
    { method: 'GET', path: options.uiPath, name: 'swagger_ui', action, tracked: false, docs: { operationId: 'swaggerUi', summary: 'Swagger UI', tag: TAG }, respond: page },
    { method: 'GET', path: `${options.uiPath}/`, name: 'swagger_ui', action, tracked: false, docs: { operationId: 'swaggerUiSlash', summary: 'Swagger UI', tag: TAG }, respond: page },
    {
      method: 'GET', path: `${options.uiPath}/{file}`, name: 'swagger_ui_asset', action, tracked: false,
      docs: { operationId: 'swaggerUiAsset', summary: 'Swagger UI asset', tag: TAG },
      respond(x) {
        const file = x.params['file']!;
        if (assets.files === undefined) throw notStarted();
        // A lookup in a fixed table: the name never becomes a file path.
        const a = assets.files.get(file);
        if (a === undefined) throw new PonteError('PONTE_NOT_FOUND', `no Swagger UI asset named ${JSON.stringify(file.slice(0, 100))}`);
        if (file === 'index.html') return page(x);
        // Generated files change with the config, dist files only with the package version in their URL.
        const cacheControl = file === 'swagger-initializer.js' ? NO_CACHE : x.query.get('v') !== null ? IMMUTABLE : REVALIDATE_DAILY;
        return sendStaticAsset(x, a, cacheControl, file === 'oauth2-redirect.html' && assets.csp !== undefined ? htmlSecurityHeaders(assets.csp) : {});
      },
    },
  );
  return routes;
}
