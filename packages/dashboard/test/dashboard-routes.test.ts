import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PonteServer } from '@ponte/core';
import { DASHBOARD_CSP, uplotDistDir } from '@ponte/dashboard';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { gatekeeper, TOKEN } from './support/gatekeeper.js';

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/dashboard'], repository: EXAMPLE_MODELS } });
});

after(async () => {
  await server.stop();
});

test('GET /dashboard is an HTML page with a strict Content-Security-Policy, no sniffing, no referrer, never framed', async () => {
  for (const path of ['/dashboard', '/dashboard/']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    assert.equal(csp, DASHBOARD_CSP);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      assert.ok(csp.split('; ').includes(directive), `the policy has ${directive}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline code, no other origin');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    await res.arrayBuffer();
  }
});

test('the page and its own script and style have no inline code and name no other site', async () => {
  const html = await (await fetch(`${server.url}/dashboard`)).text();
  for (const m of html.matchAll(/<script\b[^>]*>/g)) assert.match(m[0], /\ssrc="\/dashboard\//, `${m[0]} loads a file of this server`);
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style, no inline event handler');
  assert.match(html, /<select id="model"/);
  for (const file of ['app.js', 'app.css']) {
    const text = await (await fetch(`${server.url}/dashboard/${file}`)).text();
    assert.doesNotMatch(text, /https?:\/\//, `${file} names no other site`);
    assert.doesNotMatch(text, /innerHTML|eval\(|new Function/, `${file} builds no code or markup from strings`);
  }
});

test('uPlot is served from the installed package, compressed for browsers that accept it, and cached by ETag', async () => {
  const res = await fetch(`${server.url}/dashboard/uplot.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(await res.text(), readFileSync(join(uplotDistDir(), 'uPlot.esm.js'), 'utf8'));
  const css = await fetch(`${server.url}/dashboard/uplot.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(await css.text(), readFileSync(join(uplotDistDir(), 'uPlot.min.css'), 'utf8'));

  const etag = res.headers.get('etag')!;
  const again = await fetch(`${server.url}/dashboard/uplot.js`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  // Versioned URLs, as the page writes them, are immutable.
  const versioned = await fetch(`${server.url}/dashboard/app.js?v=1`);
  assert.match(versioned.headers.get('cache-control')!, /immutable/);
  await versioned.arrayBuffer();
});

test('only the four asset names are served under /dashboard/: nothing else of the disk', async () => {
  for (const path of ['/dashboard/nope.js', '/dashboard/..%2Fpackage.json', '/dashboard/%2E%2E%2F%2E%2E%2Fpackage.json', '/dashboard/uPlot.esm.js']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 404, path);
    const body = (await res.json()) as { error: string };
    assert.match(body.error, /no dashboard asset named|not found|no route/i, path);
  }
  const post = await fetch(`${server.url}/dashboard`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.match(post.headers.get('allow')!, /GET/);
  await post.arrayBuffer();
});

test('behind an authenticator the page and its assets stay public (they hold no data) while the data needs the token', async () => {
  const gated = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/dashboard'], repository: EXAMPLE_MODELS }, builtins: [gatekeeper] });
  try {
    for (const path of ['/dashboard', '/dashboard/app.js', '/dashboard/app.css', '/dashboard/uplot.js', '/dashboard/uplot.css']) {
      const res = await fetch(`${gated.url}${path}`);
      assert.equal(res.status, 200, `${path} loads without credentials, as a browser loads it`);
      await res.arrayBuffer();
    }
    const anonymous = await fetch(`${gated.url}/v1/models`);
    assert.equal(anonymous.status, 401);
    await anonymous.arrayBuffer();
    const withToken = await fetch(`${gated.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(withToken.status, 200);
    assert.ok(((await withToken.json()) as { models: Array<{ name: string }> }).models.some((m) => m.name === 'purchase'));
  } finally {
    await gated.stop();
  }
});

test('with public: false the page and its assets are monitor routes behind the gate', async () => {
  const gated = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/dashboard', options: { public: false } }], repository: EXAMPLE_MODELS }, builtins: [gatekeeper] });
  try {
    for (const path of ['/dashboard', '/dashboard/app.js']) {
      const anonymous = await fetch(`${gated.url}${path}`);
      assert.equal(anonymous.status, 401, path);
      assert.ok(anonymous.headers.get('www-authenticate'));
      await anonymous.arrayBuffer();
      const res = await fetch(`${gated.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
  } finally {
    await gated.stop();
  }
});

test('the page carries its settings as data attributes, and bad options are refused naming the key', async () => {
  const custom = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/dashboard', options: { title: 'Fraud <models>', refreshSeconds: 5, windows: 200 } }], repository: EXAMPLE_MODELS } });
  try {
    const html = await (await fetch(`${custom.url}/dashboard`)).text();
    assert.match(html, /<title>Fraud &#60;models&#62;<\/title>/, 'the title is escaped');
    assert.match(html, /data-refresh-seconds="5" data-windows="200"/);
  } finally {
    await custom.stop();
  }
  await assert.rejects(
    startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/dashboard', options: { colour: 'red' } }], repository: EXAMPLE_MODELS } }),
    /plugins\[1\]\.options\.colour/,
  );
  await assert.rejects(
    startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/dashboard', options: { refreshSeconds: -1 } }], repository: EXAMPLE_MODELS } }),
    /refreshSeconds/,
  );
});
