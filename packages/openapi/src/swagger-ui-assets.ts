import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { makeStaticAsset, type StaticAsset } from '@ponte/http';

/**
 * The files of `swagger-ui-dist` the UI needs, with their content types. The
 * asset route serves these names and nothing else: a fixed table, not a
 * path joined from the URL, is what makes traversal impossible.
 */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  // OAuth flows (a later auth plugin) return to this page.
  'oauth2-redirect.html': 'text/html; charset=utf-8',
  'oauth2-redirect.js': 'text/javascript; charset=utf-8',
};

/** The folder of the installed `swagger-ui-dist` package. */
export function swaggerUiDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/**
 * Reads the Swagger UI files once (at plugin start, never per request) and
 * gzips the text ones: the bundle is 1.7 MB raw, about 0.5 MB compressed.
 */
export async function loadSwaggerUiAssets(dir = swaggerUiDistDir()): Promise<{ version: string; files: Map<string, StaticAsset> }> {
  const version = (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const files = new Map<string, StaticAsset>();
  await Promise.all(Object.entries(SWAGGER_UI_FILES).map(async ([name, type]) => {
    files.set(name, await makeStaticAsset(type, new Uint8Array(await readFile(join(dir, name)))));
  }));
  return { version, files };
}
