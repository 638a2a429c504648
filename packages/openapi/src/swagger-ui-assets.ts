import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);

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

/** One file held in memory, ready to send. */
export interface Asset {
  readonly type: string;
  readonly body: Uint8Array;
  /** Gzipped body, when compressing it is worth it. */
  readonly gzip?: Uint8Array;
  /** Strong ETag. */
  readonly etag: string;
}

/** The folder of the installed `swagger-ui-dist` package. */
export function swaggerUiDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Strong ETag of some bytes or text. */
export function etagOf(data: Uint8Array | string): string {
  return `"${createHash('sha256').update(data).digest('base64url').slice(0, 27)}"`;
}

/** Makes an asset, gzipping text types. */
export async function makeAsset(type: string, body: Uint8Array): Promise<Asset> {
  const compressible = type.startsWith('text/') || type.startsWith('application/json');
  const gz = compressible && body.byteLength > 1024 ? new Uint8Array(await gzip(body, { level: 9 })) : undefined;
  return { type, body, etag: etagOf(body), ...(gz !== undefined ? { gzip: gz } : {}) };
}

/**
 * Reads the Swagger UI files once (at plugin start, never per request) and
 * gzips the text ones: the bundle is 1.7 MB raw, about 0.5 MB compressed.
 */
export async function loadSwaggerUiAssets(dir = swaggerUiDistDir()): Promise<{ version: string; files: Map<string, Asset> }> {
  const version = (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const files = new Map<string, Asset>();
  await Promise.all(Object.entries(SWAGGER_UI_FILES).map(async ([name, type]) => {
    files.set(name, await makeAsset(type, new Uint8Array(await readFile(join(dir, name)))));
  }));
  return { version, files };
}
