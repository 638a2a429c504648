import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { swaggerUiDistDir } from '@ponte/openapi';

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi'], repository: EXAMPLE_MODELS } });
});

after(async () => {
  await server.stop();
});

/** Sends a request path exactly as written (fetch would normalise `..` away before sending). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pageAssets(): Promise<string[]> {
  const html = await (await fetch(`${server.url}/docs`)).text();
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
}

test('/docs and the OAuth return page refuse framing, sniffing and referrers', async () => {
  for (const path of ['/docs', '/docs/', '/docs/oauth2-redirect.html']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
    assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /script-src[^;]*'unsafe-inline'/, path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('/docs serves an HTML page that loads only local Swagger UI assets', async () => {
  const res = await fetch(`${server.url}/docs`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  const html = await res.text();
  assert.match(html, /<div id="swagger-ui"><\/div>/);
  assert.doesNotMatch(html, /<script>|<script(?![^>]*\ssrc=)[^>]*>/, 'every script is a served file: the CSP allows no inline script');
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other absolute URL');
  const assets = await pageAssets();
  assert.ok(assets.length >= 4);
  for (const a of assets) assert.ok(a.startsWith('/docs/'), `${a} is served by this server`);
  assert.ok(assets.some((a) => a.startsWith('/docs/swagger-ui-bundle.js')));
  assert.ok(assets.some((a) => a.startsWith('/docs/swagger-ui.css')));
});

test('every asset the page references is served with its content type and cache headers', async () => {
  const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png' };
  for (const a of await pageAssets()) {
    const res = await fetch(`${server.url}${a}`);
    assert.equal(res.status, 200, a);
    const ext = /\.[a-z]+(?=$|\?)/.exec(a)![0];
    assert.equal(res.headers.get('content-type'), types[ext], a);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('etag'), `${a} has an ETag`);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.ok(body.byteLength > 0, `${a} is not empty`);
    if (a.includes('?v=')) assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', `${a}: versioned URL, cached for good`);
    else assert.equal(res.headers.get('cache-control'), 'no-cache', `${a}: generated, revalidated`);
  }
  // The stylesheet is the installed package's own file, byte for byte.
  const css = await (await fetch(`${server.url}/docs/swagger-ui.css`)).text();
  assert.equal(css, readFileSync(join(swaggerUiDistDir(), 'swagger-ui.css'), 'utf8'));
  const init = await (await fetch(`${server.url}/docs/swagger-initializer.js`)).text();
  assert.match(init, /"url": "\/openapi\.json"/);
  assert.match(init, /"validatorUrl": null/, 'the online validator badge, which calls swagger.io, is off');
});

test('the big bundle is sent gzipped to clients that accept it, and revalidates with a 304', async () => {
  const res = await fetch(`${server.url}/docs/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.equal(res.headers.get('vary'), 'Accept-Encoding');
  const text = await res.text();
  assert.equal(text.length, readFileSync(join(swaggerUiDistDir(), 'swagger-ui-bundle.js'), 'utf8').length);
  const again = await fetch(`${server.url}/docs/swagger-ui-bundle.js`, { headers: { 'if-none-match': res.headers.get('etag')! } });
  assert.equal(again.status, 304);
});

test('paths that try to leave the Swagger UI folder are refused', async () => {
  const attempts = [
    '/docs/../package.json',
    '/docs/..%2fpackage.json',
    '/docs/%2e%2e%2fpackage.json',
    '/docs/%2e%2e/%2e%2e/package.json',
    '/docs/..%5cpackage.json',
    '/docs/..%255cpackage.json',
    '/docs/%2fetc%2fpasswd',
    '/docs//etc/passwd',
    '/docs/swagger-ui.css/../../../package.json',
    '/docs/package.json',
    '/docs/index.js',
    '/docs/swagger-ui-bundle.js.map',
    '/docs/constructor',
    '/docs/__proto__',
  ];
  const pkg = readFileSync(join(swaggerUiDistDir(), 'package.json'), 'utf8');
  for (const path of attempts) {
    const res = await rawGet(path);
    assert.equal(res.status, 404, `${path} answered ${res.status}`);
    const body = JSON.parse(res.body) as { error: string; code: string };
    assert.equal(body.code === 'PONTE_NOT_FOUND', true, `${path}: ${res.body}`);
    assert.ok(!res.body.includes('"version"') && !pkg.includes(res.body), `${path} leaked a file`);
  }
});
