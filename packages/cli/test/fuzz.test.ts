/**
 * Property-based tests of the whole REST surface: arbitrary methods, paths,
 * headers, bodies and tokens thrown at every route of every loaded plugin
 * (the protocol's, the OpenAPI document and UI, /metrics, the prediction
 * log) never get a 5xx, a stack trace, a file path of the server or the
 * caller's secret back, and the server answers a valid prediction exactly as
 * before afterwards. A failure prints fast-check's seed and the shrunk
 * request, so it can be replayed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PonteServer } from '@ponte/core';
import { HttpTokens, type HttpRoute } from '@ponte/http';
import { bearerTestAuth, EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';

const SECRET = 'pk_live_5ecret-T0ken-never-echoed';

/** Accepts `Authorization: Bearer <SECRET>`; any other credentials are refused, none are not recognised (401). */
const gatekeeper = bearerTestAuth((t) => (t === SECRET ? { id: 'fuzzer', scopes: ['*:*'] } : undefined), 'fuzz-gatekeeper');

let server: PonteServer;
let port: number;
let routes: readonly HttpRoute[];
let dir: string;

const PURCHASE_ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const VALID_INFER = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: PURCHASE_ROW }] });
const FEATURES = ['age', 'income', 'visits_last_30d', 'avg_session_minutes', 'pages_viewed', 'days_since_last_purchase', 'cart_items', 'is_returning'];
const VALID_PREDICT = JSON.stringify({ instances: [Object.fromEntries(FEATURES.map((f, i) => [f, PURCHASE_ROW[i]]))] });
let before_: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ponte-fuzz-'));
  server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi', '@ponte/exporter-prometheus', { package: '@ponte/store-sqlite', options: { file: join(dir, 'predictions.db') } }],
      repository: EXAMPLE_MODELS,
    },
    builtins: [gatekeeper],
  });
  port = Number(new URL(server.url!).port);
  routes = server.container.resolve<{ list(): readonly HttpRoute[] }>(HttpTokens.Routes).list();
  before_ = await purchaseAnswer();
});

after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The outputs of a valid purchase infer, as text. */
async function purchaseAnswer(): Promise<string> {
  const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` }, body: VALID_INFER });
  assert.equal(res.status, 200);
  return JSON.stringify((await res.json() as { outputs: unknown }).outputs);
}

interface RawAnswer { status: number; head: string; body: string }

/**
 * Sends bytes as they are over a fresh connection (fetch would normalise the
 * path, refuse odd methods and headers) and reads until the server closes.
 */
function send(request: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no answer within 20 s')); }, 20_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, head: end < 0 ? text : text.slice(0, end), body: end < 0 ? '' : text.slice(end + 4) });
    });
  });
}

interface FuzzRequest { method: string; path: string; headers: Array<[string, string]>; body: Uint8Array }

function encode(r: FuzzRequest): Buffer {
  const clean = (s: string): string => s.replace(/[\r\n]/g, '');
  const head = [`${clean(r.method)} ${clean(r.path)} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...r.headers.map(([k, v]) => `${k}: ${clean(v)}`), `Content-Length: ${r.body.byteLength}`, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), r.body]);
}

/** What the answer must never hold, whatever was asked. */
function checkAnswer(r: FuzzRequest, a: RawAnswer): void {
  const asked = `${r.method} ${r.path} ${r.headers.map(([k, v]) => `${k}: ${v}`).join('\n')} ${Buffer.from(r.body).toString('latin1')}`;
  const where = `${r.method} ${r.path.slice(0, 200)} → ${a.status} ${a.body.slice(0, 300)}`;
  // Node closes a CONNECT (a proxy request: no listener for it) without answering; everything else gets an answer.
  assert.ok(a.status >= 100 || r.method === 'CONNECT', `an answer at all: ${where}`);
  // A 504 is the caller's own deadline (X-Request-Timeout-Ms, parameters.timeout), not a server fault.
  const ownDeadline = a.status === 504 && a.body.includes('PONTE_DEADLINE_EXCEEDED');
  assert.ok(a.status < 500 || ownDeadline, `never a 5xx: ${where}`);
  const answer = `${a.head}\n${a.body}`;
  assert.doesNotMatch(answer, /\n\s+at \S|\bat [^\s(]+ \(|\.[cm]?[jt]s:\d+:\d+/, `no stack frame: ${where}`);
  for (const leak of [REPO_ROOT, dir, tmpdir(), 'node_modules', '/work/', '/home/']) {
    if (!asked.includes(leak)) assert.equal(answer.includes(leak), false, `no path "${leak}": ${where}`);
  }
  assert.equal(answer.includes(SECRET), false, `the token is never echoed: ${where}`);
  assert.equal(answer.includes(SECRET.slice(8, 24)), false, `nor part of it: ${where}`);
}

// ---- arbitraries ----

const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];
const weird = fc.oneof(fc.constantFrom('..', '../..', '%2e%2e', '%2F', '%00', '%', '%zz', '\\', '~', '*', ':predict', '/', '//', '?', '#', ';', "'", '"', '<script>', 'ª', 'ｐ'), fc.string({ maxLength: 20 }));
const pathPart = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('purchase', 'wide_mlp', 'digits', 'house', '1', '2', 'swagger-ui.css', 'index.html', 'swagger-initializer.js', '0190b5a4-0000-7000-8000-000000000000') },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: weird },
  { weight: 1, arbitrary: fc.array(weird, { maxLength: 4 }).map((a) => a.join('/')) },
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom('limit', 'cursor', 'since', 'until', 'version', 'v', 'url', 'x'), fc.oneof(fc.constantFrom('1', '0', '-1', '1000', '1001', '1e400', 'NaN', '2024-01-01T00:00:00Z', 'abc', ''), fc.string({ maxLength: 30 }).map(encodeURIComponent))), { maxLength: 4 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `?${s.replace(/[\s#]/g, '')}`) },
);

/** A path of a route of the table, with its parameters filled (well or badly), or a path no route has. */
function pathArb(): fc.Arbitrary<string> {
  const templated = fc.constantFrom(...routes.map((r) => r.path)).chain((template) => {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return fc.tuple(fc.tuple(...names.map(() => pathPart)), query).map(([values, q]) => {
      let p = template;
      names.forEach((n, i) => { p = p.replace(`{${n}}`, values[i] as string); });
      return p + q;
    });
  });
  return fc.oneof(
    { weight: 8, arbitrary: templated },
    { weight: 1, arbitrary: fc.array(weird, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`) },
    { weight: 1, arbitrary: fc.constantFrom('*', '/..', '/v2/../../etc/passwd', '//v2', '/v2/models/', '/docs/../openapi.json', 'http://evil.example.com/v2', '/%2e%2e/%2e%2e/etc/passwd') },
  );
}

const tensor = fc.record({
  name: fc.oneof(fc.constant('input'), fc.string({ maxLength: 10 })),
  datatype: fc.oneof(fc.constantFrom(...DATATYPES), fc.string({ maxLength: 6 })),
  shape: fc.oneof(fc.constant([1, 8]), fc.array(fc.oneof(fc.nat(10), fc.integer(), fc.double(), fc.constant(2 ** 31)), { maxLength: 5 })),
  data: fc.oneof(fc.constant(PURCHASE_ROW), fc.array(fc.double(), { maxLength: 20 }), fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 20 }), fc.array(fc.array(fc.double(), { maxLength: 8 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 3 })),
  parameters: fc.dictionary(fc.constantFrom('binary_data', 'binary_data_size', 'x'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
}, { requiredKeys: ['name', 'datatype', 'shape'] });

const inferBody = fc.record({
  id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
  inputs: fc.array(tensor, { maxLength: 3 }),
  outputs: fc.array(fc.record({ name: fc.oneof(fc.constantFrom('label', 'probabilities'), fc.string({ maxLength: 8 })), parameters: fc.dictionary(fc.constantFrom('binary_data', 'x'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }) }, { requiredKeys: ['name'] }), { maxLength: 3 }),
  parameters: fc.dictionary(fc.constantFrom('timeout', 'binary_data_output', 'priority', 'x'), fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string({ maxLength: 5 })), { maxKeys: 3 }),
}, { requiredKeys: ['inputs'] });

const predictBody = fc.record({
  instances: fc.oneof(
    fc.array(fc.dictionary(fc.oneof(fc.constantFrom(...FEATURES), fc.string({ maxLength: 8 })), fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null)), { maxKeys: 10 }), { maxLength: 4 }),
    fc.array(fc.array(fc.oneof(fc.double(), fc.integer(), fc.constant(null)), { maxLength: 10 }), { maxLength: 4 }),
    fc.jsonValue({ maxDepth: 3 }),
  ),
  id: fc.string({ maxLength: 5 }),
  parameters: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
}, { requiredKeys: [] });

const feedbackBody = fc.array(fc.record({ id: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })), label: fc.oneof(fc.constantFrom('yes', 'no'), fc.jsonValue({ maxDepth: 1 })), value: fc.double() }, { requiredKeys: [] }), { maxLength: 5 });

const text = (a: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array> => a.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ''));
const bodyArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(VALID_INFER, VALID_PREDICT, '', '{}', '[]', 'null', '{"inputs":', '\uFEFF{"inputs":[]}').map((s) => new TextEncoder().encode(s)) },
  { weight: 4, arbitrary: text(inferBody) },
  { weight: 3, arbitrary: text(predictBody) },
  { weight: 1, arbitrary: text(feedbackBody) },
  { weight: 2, arbitrary: text(fc.jsonValue({ maxDepth: 6 })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 1500 }) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(300), fc.constantFrom('[', '{"a":')).map(([n, open]) => new TextEncoder().encode(open.repeat(n))) },
  // A valid body with one byte overwritten: not UTF-8, not JSON, or still fine.
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(VALID_INFER, VALID_PREDICT), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => { const b = new TextEncoder().encode(s); b[at % b.length] = byte; return b; }) },
);

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${SECRET}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.constantFrom(`Bearer ${SECRET}x`, `bearer ${SECRET}`, `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}`, SECRET, `Bearer  ${SECRET}`, 'Bearer', '') },
);

const headerArb: fc.Arbitrary<Array<[string, string]>> = fc.record({
  authorization,
  'content-type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'), fc.string({ maxLength: 20 })),
  'inference-header-content-length': fc.oneof(fc.nat(2000).map(String), fc.constantFrom('0', '-1', '1e3', 'abc', '99999999999')),
  'x-request-timeout-ms': fc.oneof(fc.constantFrom('1', '0', '-5', 'abc', '1e309', '30000', 'Infinity'), fc.string({ maxLength: 10 })),
  'x-request-id': fc.oneof(fc.uuid(), fc.string({ maxLength: 200 })),
  'if-none-match': fc.oneof(fc.constant('*'), fc.string({ maxLength: 30 })),
  'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', '*'),
  origin: fc.constantFrom('https://app.example.com', 'null', 'http://evil.example.com'),
  'access-control-request-method': fc.constantFrom('POST', 'GET', 'DELETE'),
  traceparent: fc.oneof(fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), fc.string({ maxLength: 60 })),
  'x-api-key': fc.oneof(fc.constant(SECRET), fc.string({ maxLength: 30 })),
}, { requiredKeys: [] }).map((h) => Object.entries(h));

const methodArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH') },
  { weight: 1, arbitrary: fc.constantFrom('TRACE', 'CONNECT', 'PROPFIND', 'get', 'FOO', '') },
);

const RUNS = Number(process.env['PONTE_FUZZ_RUNS'] ?? 300);

test('every route of every plugin, with arbitrary methods, parameters, headers and bodies: never a 5xx, a stack, a server path or the token', async () => {
  const requestArb = fc.record({ method: methodArb, path: pathArb(), headers: headerArb, body: bodyArb });
  const statuses = new Set<number>();
  await fc.assert(fc.asyncProperty(requestArb, async (r) => {
    const a = await send(encode(r));
    statuses.add(a.status);
    checkAnswer(r, a);
  }), { numRuns: RUNS, includeErrorInReport: true });
  // The requests got past the gate and into the routes, not only refused at the door.
  for (const s of [200, 400, 401, 404]) assert.ok(statuses.has(s), `some answer was a ${s} (got ${[...statuses].sort().join(', ')})`);
});

test('valid routes with the right token and a well-shaped but wrong body: never a 5xx', async () => {
  const inference = routes.filter((r) => r.method === 'POST');
  const requestArb = fc.record({
    route: fc.constantFrom(...inference),
    version: fc.constantFrom('1', '2', '99'),
    body: fc.oneof(text(inferBody), text(predictBody), text(feedbackBody)),
    binary: fc.option(fc.tuple(fc.nat(200), fc.uint8Array({ maxLength: 64 }))),
  }).map(({ route, version, body, binary }): FuzzRequest => {
    const headers: Array<[string, string]> = [['authorization', `Bearer ${SECRET}`], ['content-type', 'application/json']];
    let bytes = body;
    if (binary !== null) {
      headers.push(['inference-header-content-length', String(Math.min(binary[0], body.byteLength))]);
      bytes = Buffer.concat([body, binary[1]]);
    }
    return { method: 'POST', path: route.path.replace('{name}', 'purchase').replace('{version}', version), headers, body: bytes };
  });
  await fc.assert(fc.asyncProperty(requestArb, async (r) => {
    checkAnswer(r, await send(encode(r)));
  }), { numRuns: RUNS, includeErrorInReport: true });
});

test('malformed HTTP (odd request lines, header bytes, framing) gets a 4xx or a closed connection, never a 5xx', async () => {
  const garbage = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 })).map(([line, header]) => Buffer.from(`${line}\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`, 'utf8')),
    fc.tuple(fc.constantFrom('GET', 'POST'), fc.uint8Array({ maxLength: 40 })).map(([m, p]) => Buffer.concat([Buffer.from(`${m} /v2/models/`), Buffer.from(p), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])),
    fc.constantFrom(
      'POST /v2/models/purchase/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\n{}{}{}',
      'POST /v2/models/purchase/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\n0\r\n\r\n',
      'POST /v2/models/purchase/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'GET /v2/health/ready HTTP/1.0\r\n\r\n',
      'GET /v2/health/ready HTTP/9.9\r\nConnection: close\r\n\r\n',
      `GET /v2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${SECRET}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
    ).map((s) => Buffer.from(s, 'latin1')),
  );
  await fc.assert(fc.asyncProperty(garbage, async (bytes) => {
    const a = await send(bytes);
    const r: FuzzRequest = { method: '', path: '', headers: [], body: bytes };
    if (a.status !== 0) checkAnswer(r, a);
  }), { numRuns: Math.ceil(RUNS / 2), includeErrorInReport: true });
});

test('afterwards the server answers a valid prediction exactly as before', async () => {
  assert.equal(await purchaseAnswer(), before_);
  const ready = await fetch(`${server.url}/v2/health/ready`);
  assert.equal(ready.status, 200);
});
