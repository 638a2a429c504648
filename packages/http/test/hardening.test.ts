/**
 * Hardening of the REST surface: every limit answers with its status and
 * names the rule; JSON must be UTF-8; answers are not sniffed; CORS is off
 * unless configured and then only for the listed origins; a model name in a
 * path is a name, never a file path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { loadConfigObject, type PonteServer } from '@ponte/core';
import { HttpTokens, htmlSecurityHeaders } from '../src/index.js';
import { jsonNestsDeeper } from '../src/body.js';
import { nativeInferJson } from '../src/infer-json.js';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '../src/testing.js';
import { PLUGINS } from './support/rest.js';

const PURCHASE = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const infer = (data: unknown = PURCHASE, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...extra, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data }] });

/** A raw HTTP request with exactly these path bytes and body bytes (fetch would normalise the path). */
function raw(url: string, path: string, options: { method?: string; body?: Uint8Array | string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { 'content-type': 'application/json', ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Bytes of a JSON text with one byte that is not UTF-8 (0xff) inside a string. */
function notUtf8(json: string, marker: string): Buffer {
  const b = Buffer.from(json, 'utf8');
  const at = b.indexOf(marker);
  b[at] = 0xff;
  return b;
}

describe('a server with default limits', () => {
  let server: PonteServer;
  before(async () => {
    server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
  });
  after(() => server.stop());

  test('a JSON body that is not UTF-8 is a 400 saying so, on the small-body path, the large-body (native) path and the named-feature route', async () => {
    const small = notUtf8(JSON.stringify(infer(PURCHASE, { id: 'Xabc' })), 'X');
    // Past the native parser's threshold: the addon, when built, sees it first and must hand it back.
    const large = notUtf8(JSON.stringify(infer(PURCHASE, { id: `X${'a'.repeat(600)}` })), 'X');
    const predict = notUtf8(JSON.stringify({ id: 'Xabc', instances: [{ age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 }] }), 'X');
    for (const [path, body] of [['/v2/models/purchase/infer', small], ['/v2/models/purchase/infer', large], ['/v1/models/purchase:predict', predict]] as const) {
      const res = await raw(server.url!, path, { method: 'POST', body });
      assert.equal(res.status, 400, `${path} (${body.byteLength} bytes, native parser ${nativeInferJson}): ${res.text}`);
      assert.match(JSON.parse(res.text).error, /not valid UTF-8/);
    }
  });

  test('UTF-8 text beyond ASCII is accepted as it is', async () => {
    for (const id of ['café ☕', `café ${'é'.repeat(400)}`]) {
      const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify(infer(PURCHASE, { id })) });
      assert.equal(res.status, 200);
      assert.equal((await res.json() as { id: string }).id, id);
    }
  });

  test('a body over server.bodyLimitBytes is a 413 naming the setting, declared or streamed', async () => {
    const big = new Uint8Array(10485761).fill(0x20);
    const declared = await raw(server.url!, '/v2/models/purchase/infer', { method: 'POST', body: big });
    assert.equal(declared.status, 413);
    assert.match(JSON.parse(declared.text).error, /server\.bodyLimitBytes/);
    const streamed = await fetch(`${server.url}/v2/models/purchase/infer`, {
      method: 'POST',
      body: new ReadableStream({ start(c) { for (let i = 0; i < 11; i++) c.enqueue(new Uint8Array(1 << 20).fill(0x20)); c.close(); } }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  test('JSON nested deeper than 64 levels is a 400 naming server.limits.jsonDepth, before it is parsed', async () => {
    for (const depth of [65, 100_000]) {
      for (const [path, body] of [
        ['/v2/models/purchase/infer', JSON.stringify(infer(PURCHASE, { parameters: { p: 1 } })).replace('"p":1', `"p":${'['.repeat(depth)}${']'.repeat(depth)}`)],
        ['/v1/models/purchase:predict', `{"instances":${'['.repeat(depth)}${']'.repeat(depth)}}`],
      ] as const) {
        const res = await raw(server.url!, path, { method: 'POST', body });
        assert.equal(res.status, 400, `${path} at depth ${depth}: ${res.text.slice(0, 200)}`);
        assert.match(JSON.parse(res.text).error, /deeper than the limit of 64 \(server\.limits\.jsonDepth\)/);
      }
    }
    // Brackets inside strings are text, not nesting.
    const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify(infer(PURCHASE, { id: '['.repeat(500) })) });
    assert.equal(res.status, 200);
  });

  test('a tensor declaring more elements than server.limits.tensorElements is a 400 naming the input and the setting', async () => {
    const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [100_000, 1_000], data: [1] }] };
    const res = await raw(server.url!, '/v2/models/purchase/infer', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.text).error, /^inputs\[0\]\.shape: input "input" of 100000000 elements exceeds the limit of 16777216 \(server\.limits\.tensorElements\)/);
  });

  test('a request head larger than 16 KiB (Node\'s default, server.limits.headerBytes) is a 431', async () => {
    const res = await raw(server.url!, '/v2/health/live', { headers: { 'x-filler': 'a'.repeat(17 * 1024) } });
    assert.equal(res.status, 431);
  });

  test('every answer carries X-Content-Type-Options: nosniff; CORS is off: no Access-Control header, OPTIONS is a 405', async () => {
    const ok = await fetch(`${server.url}/v2/models/purchase`, { headers: { origin: 'https://app.example.com' } });
    assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(ok.headers.get('access-control-allow-origin'), null);
    const error = await fetch(`${server.url}/v2/models/nope`);
    assert.equal(error.headers.get('x-content-type-options'), 'nosniff');
    const preflight = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('a model name in a path is a name: encoded slashes and dots find no model and read no file', async () => {
    for (const path of ['/v2/models/..%2F..%2Fetc/ready', '/v2/models/..%2F..%2F..%2Fetc%2Fpasswd', '/v2/models/%2e%2e/ready', '/v2/models/..%5c..%5cwindows/ready', '/v2/models/purchase%2F..%2F..%2Fpackage.json', '/v2/models/%00/ready', '/v2/models/%/ready', '/v1/models/..%2F..%2Fetc%2Fpasswd:predict']) {
      const res = await raw(server.url!, path, { method: path.includes(':predict') ? 'POST' : 'GET', body: path.includes(':predict') ? '{"instances":[]}' : undefined });
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status} ${res.text}`);
      assert.equal(res.text.includes('root:'), false);
      assert.equal(res.text.includes(REPO_ROOT), false, `${path} does not reveal where the server lives`);
    }
    // Unencoded, the dots are path segments: no route has them.
    const dotted = await raw(server.url!, '/v2/models/../../etc/passwd');
    assert.equal(dotted.status, 404);
  });

  test('a config cannot name a model with a slash or leading dots', () => {
    for (const name of ['../etc', 'a/b', '..', '.hidden', 'a\\b']) {
      assert.throws(() => loadConfigObject({ version: 1, models: [{ name, source: EXAMPLE_MODELS }] }, REPO_ROOT, {}), /models\[0\]\.name/, name);
    }
  });
});

describe('a server with tighter limits', () => {
  let server: PonteServer;
  before(async () => {
    server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS, server: { requestTimeoutMs: 1500, limits: { jsonDepth: 5, tensorElements: 4, headerBytes: 4096 } } } });
  });
  after(() => server.stop());

  test('each limit follows its setting', async () => {
    const deep = await raw(server.url!, '/v2/models/purchase/infer', { method: 'POST', body: JSON.stringify(infer([[[[[[1]]]]]])) });
    assert.equal(deep.status, 400);
    assert.match(JSON.parse(deep.text).error, /limit of 5 \(server\.limits\.jsonDepth\)/);
    const wide = await raw(server.url!, '/v2/models/purchase/infer', { method: 'POST', body: JSON.stringify(infer()) });
    assert.equal(wide.status, 400);
    assert.match(JSON.parse(wide.text).error, /input "input" of 8 elements exceeds the limit of 4/);
    const head = await raw(server.url!, '/v2/health/live', { headers: { 'x-filler': 'a'.repeat(5000) } });
    assert.equal(head.status, 431);
    assert.equal((await raw(server.url!, '/v2/health/live', { headers: { 'x-filler': 'a'.repeat(3000) } })).status, 200);
  });

  test('a body that does not arrive within server.requestTimeoutMs is a 408 and the connection is closed', async () => {
    const startedAt = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url!).port), '127.0.0.1', () => {
        socket.write('POST /v2/models/purchase/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"inputs":');
      });
      let text = '';
      socket.on('data', (d) => { text += d.toString('latin1'); });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => { socket.destroy(); reject(new Error(`no answer after 20 s: ${text}`)); }, 20_000).unref();
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - startedAt < 15_000, 'cut off within seconds of the deadline, not Node\'s default 5 minutes');
    // The server goes on answering.
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
  });
});

describe('a server with CORS for one origin', () => {
  const APP = 'https://app.example.com';
  let server: PonteServer;
  before(async () => {
    server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS, server: { cors: { origins: [APP], maxAgeSeconds: 120 } } } });
  });
  after(() => server.stop());

  test('a preflight from the allowed origin for a route the table has gets 204 with the Access-Control-Allow headers', async () => {
    const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /content-type/);
    assert.equal(res.headers.get('access-control-max-age'), '120');
    assert.match(res.headers.get('vary') ?? '', /Origin/);
  });

  test('a preflight from another origin, or for a method the route does not answer, gets no permission', async () => {
    const other = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(other.status, 405);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const method = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'DELETE' } });
    assert.notEqual(method.status, 204);
    assert.equal(method.headers.get('access-control-allow-methods'), null);
    const nowhere = await fetch(`${server.url}/nowhere`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } });
    assert.equal(nowhere.status, 404);
  });

  test('answers to the allowed origin carry Access-Control-Allow-Origin; to others, none', async () => {
    const mine = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', headers: { origin: APP }, body: JSON.stringify(infer()) });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('access-control-allow-origin'), APP);
    assert.match(mine.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
    const theirs = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', headers: { origin: 'https://evil.example.com' }, body: JSON.stringify(infer()) });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.headers.get('access-control-allow-origin'), null);
    assert.equal(theirs.headers.get('vary'), 'Origin');
  });

  test('the in-process fetch app applies the same policy', async () => {
    const app = server.container.resolve<{ request(path: string, init?: RequestInit): Promise<Response> }>(HttpTokens.FetchApp);
    const pre = await app.request('/v2/models/purchase/infer', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    const res = await app.request('/v2/models/purchase', { headers: { origin: APP } });
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('a config with an origin that is not scheme://host is refused, naming the path', () => {
    assert.throws(() => loadConfigObject({ version: 1, server: { cors: { origins: ['app.example.com/path'] } } }, REPO_ROOT, {}), /server\.cors\.origins\[0\]/);
  });
});

test('htmlSecurityHeaders forbids framing, sniffing and referrers, keeping a frame-ancestors the policy has', () => {
  const h = htmlSecurityHeaders("default-src 'self'; script-src 'self'");
  assert.equal(h['Content-Security-Policy'], "default-src 'self'; script-src 'self'; frame-ancestors 'none'");
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  assert.equal(h['Referrer-Policy'], 'no-referrer');
  assert.equal(h['X-Frame-Options'], 'DENY');
  assert.equal(htmlSecurityHeaders("default-src 'none'; frame-ancestors 'self'")['Content-Security-Policy'], "default-src 'none'; frame-ancestors 'self'");
});

test('the depth scan counts brackets outside strings only', () => {
  assert.equal(jsonNestsDeeper(Buffer.from('[[["]]]]]]]][[[[[[["]]]'), 3), false);
  assert.equal(jsonNestsDeeper(Buffer.from('[[[["\\"[[[["]]]]'), 3), true);
  assert.equal(jsonNestsDeeper('{"a":{"b":{"c":"\\\\"}}}', 3), false);
  assert.equal(jsonNestsDeeper('{"a":{"b":{"c":{}}}}', 3), true);
});
