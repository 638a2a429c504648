/**
 * The gate: every route of every loaded plugin — the protocol's, the OpenAPI
 * document and UI, Prometheus' /metrics — passes core's one request
 * lifecycle, so one authenticator covers them all, over REST and gRPC alike.
 * Health probes stay public.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Tokens, type PonteServer } from '@ponte/core';
import { GrpcTokens, loadInferenceProto } from '@ponte/grpc';
import { HttpTokens, type HttpRoute } from '@ponte/http';
import { bearerTestAuth, startTestServer } from '@ponte/http/testing';

/** Accepts `Authorization: Bearer let-me-in`; a request without credentials is not recognised (401), a wrong token is refused. */
const gatekeeper = bearerTestAuth((t) => (t === 'let-me-in' ? { id: 'tester', scopes: ['*:*'] } : undefined), 'gatekeeper');

let server: PonteServer;
let routes: readonly HttpRoute[];

before(async () => {
  server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi', '@ponte/exporter-prometheus', '@ponte/dashboard', { package: '@ponte/grpc', options: { port: 0 } }],
      repository: 'examples/models',
    },
    builtins: [gatekeeper],
  });
  routes = server.container.resolve<{ list(): readonly HttpRoute[] }>(HttpTokens.Routes).list();
});

after(async () => {
  await server.stop();
});

function concrete(path: string): string {
  return path.replace('{name}', 'purchase').replace('{version}', '1').replace('{file}', path.startsWith('/dashboard') ? 'app.js' : 'swagger-ui.css');
}

const PURCHASE_ROW = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };

test('the route table holds every plugin\'s routes, each with an action', () => {
  const paths = routes.map((r) => `${r.method} ${r.path}`);
  for (const p of ['POST /v2/models/{name}/infer', 'POST /v1/models/{name}:predict', 'GET /v2', 'GET /v2/', 'GET /metrics', 'GET /openapi.json', 'GET /docs', 'GET /dashboard', 'GET /v2/health/ready']) assert.ok(paths.includes(p), `${p} is in the table`);
  for (const r of routes) assert.match(r.action, /^(infer|explain|feedback|read|monitor|admin|public)$/);
});

test('without credentials, every non-public route of every plugin answers 401 with WWW-Authenticate; health stays open', async () => {
  for (const r of routes) {
    const res = await fetch(`${server.url}${concrete(r.path)}`, { method: r.method, ...(r.method === 'POST' ? { body: JSON.stringify(PURCHASE_ROW) } : {}) });
    const body = await res.text();
    if (r.action === 'public') {
      assert.notEqual(res.status, 401, `${r.method} ${r.path} is public`);
      continue;
    }
    assert.equal(res.status, 401, `${r.method} ${r.path}: ${body}`);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer', `${r.method} ${r.path}`);
    assert.equal((JSON.parse(body) as { code: string }).code, 'PONTE_UNAUTHENTICATED');
  }
});

test('a wrong token is refused without echoing it; the right one opens every route', async () => {
  const wrong = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', headers: { authorization: 'Bearer guess' }, body: JSON.stringify(PURCHASE_ROW) });
  const text = await wrong.text();
  assert.equal(wrong.status, 401);
  assert.equal(text.includes('guess'), false);
  for (const r of routes) {
    const res = await fetch(`${server.url}${concrete(r.path)}`, { method: r.method, headers: { authorization: 'Bearer let-me-in' }, ...(r.method === 'POST' ? { body: JSON.stringify(r.path.includes(':predict') ? { instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] } : PURCHASE_ROW) } : {}) });
    const body = await res.text();
    // Past the gate: the route's own answer (the prediction log's routes say no store is configured).
    assert.ok(res.status !== 401 && res.status !== 403, `${r.method} ${r.path} with credentials: ${res.status} ${body}`);
    if (!r.path.includes('/feedback') && !r.path.includes('/predictions')) assert.equal(res.status, 200, `${r.method} ${r.path} with credentials`);
  }
});

test('over gRPC, every call but liveness and readiness is UNAUTHENTICATED without credentials', async () => {
  const { Client } = loadInferenceProto();
  const address = server.container.resolve<{ address: string }>(GrpcTokens.Endpoint).address;
  const client = new Client(address, credentials.createInsecure());
  const call = (method: string, request: unknown, md = new Metadata()): Promise<ServiceError | null> => new Promise((resolve) => {
    (client as unknown as Record<string, Function>)[method]!.call(client, request, md, (err: ServiceError | null) => resolve(err));
  });
  try {
    const calls: Array<[string, unknown]> = [
      ['ServerMetadata', {}],
      ['ModelMetadata', { name: 'purchase' }],
      ['ModelReady', { name: 'purchase' }],
      ['ModelInfer', { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: [39, 52.7, 0, 3.26, 3, 365, 0, 0] } }] }],
    ];
    for (const [method, request] of calls) {
      const err = await call(method, request);
      assert.equal(err?.code, status.UNAUTHENTICATED, method);
      const md = new Metadata();
      md.set('authorization', 'Bearer let-me-in');
      assert.equal(await call(method, request, md), null, `${method} with credentials`);
    }
    assert.equal(await call('ServerLive', {}), null);
    assert.equal(await call('ServerReady', {}), null);
  } finally {
    client.close();
  }
});
