/** What the Swagger UI page needs to know. */
export interface SwaggerUiPageOptions {
  /** Path of the page, e.g. `/docs`; assets live under it. */
  uiPath: string;
  /** Path of the OpenAPI document, e.g. `/openapi.json`. */
  documentPath: string;
  title: string;
  /** `swagger-ui-dist` version, appended to asset URLs so upgrades bust caches. */
  assetVersion: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The HTML page: local assets only, no inline script (the CSP forbids it). */
export function swaggerUiHtml(o: SwaggerUiPageOptions): string {
  const a = (file: string): string => escapeHtml(`${o.uiPath}/${file}?v=${encodeURIComponent(o.assetVersion)}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<link rel="stylesheet" href="${a('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${a('favicon-32x32.png')}" sizes="32x32">
<link rel="icon" type="image/png" href="${a('favicon-16x16.png')}" sizes="16x16">
<style>body { margin: 0; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${a('swagger-ui-bundle.js')}"></script>
<script src="${escapeHtml(`${o.uiPath}/swagger-initializer.js`)}"></script>
</body>
</html>
`;
}

/**
 * The script that starts Swagger UI on the deployment's document. The
 * online validator badge is off (it would call validator.swagger.io), and
 * `?url=` in the page address is ignored, so the page only shows this
 * server's document.
 */
export function swaggerUiInitializer(o: SwaggerUiPageOptions): string {
  const config = {
    url: o.documentPath,
    dom_id: '#swagger-ui',
    deepLinking: true,
    layout: 'BaseLayout',
    validatorUrl: null,
    queryConfigEnabled: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  };
  // JSON is valid JS; escaping '<' keeps it inert even if inlined later.
  const json = JSON.stringify(config, null, 2).replace(/</g, '\\u003c');
  return `'use strict';
window.addEventListener('load', function () {
  var config = ${json};
  config.presets = [SwaggerUIBundle.presets.apis];
  config.oauth2RedirectUrl = window.location.origin + ${JSON.stringify(`${o.uiPath}/oauth2-redirect.html`).replace(/</g, '\\u003c')};
  window.ui = SwaggerUIBundle(config);
});
`;
}
