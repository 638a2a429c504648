import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeStaticAsset as makeAsset, type StaticAsset as Asset } from '@ponte/http';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * The files served under `/dashboard/`, by URL name: where each comes from
 * and its type. The asset route serves these names and nothing else — a
 * fixed table, not a path joined from the URL, is what makes traversal
 * impossible.
 */
export const DASHBOARD_FILES: Readonly<Record<string, { readonly from: 'package' | 'uplot'; readonly file: string; readonly type: string }>> = {
  'app.js': { from: 'package', file: 'app.js', type: JS },
  'app.css': { from: 'package', file: 'app.css', type: CSS },
  // The ES module build: app.js imports it as './uplot.js'.
  'uplot.js': { from: 'uplot', file: 'uPlot.esm.js', type: JS },
  'uplot.css': { from: 'uplot', file: 'uPlot.min.css', type: CSS },
};

/** The folder of this package's hand-written browser files (`assets/`, shipped with the package). */
export function dashboardAssetsDir(): string {
  return fileURLToPath(new URL('../../assets/', import.meta.url));
}

/** The `dist` folder of the installed `uplot` package. */
export function uplotDistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
}

/** Reads every dashboard file once (at plugin start, never per request) and gzips them. */
export async function loadDashboardAssets(dirs: { package: string; uplot: string } = { package: dashboardAssetsDir(), uplot: uplotDistDir() }): Promise<Map<string, Asset>> {
  const files = new Map<string, Asset>();
  await Promise.all(Object.entries(DASHBOARD_FILES).map(async ([name, f]) => {
    files.set(name, await makeAsset(f.type, new Uint8Array(await readFile(join(dirs[f.from], f.file)))));
  }));
  return files;
}
