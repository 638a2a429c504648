import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPonteError, type PonteServer } from '@ponte/core';
import { bearerTestAuth, EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

// The seed's Flask recipe: POST /prever_compra with the eight features, {"probabilidade_compra": p} back.
const FLASK_ROUTE = { path: '/prever_compra', model: 'purchase', request: 'features', response: { probabilidade_compra: 'probability' } };
const CUSTOMER = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };

function start(routes: unknown[], extra: Record<string, unknown> = {}, builtins: Parameters<typeof startTestServer>[0]['builtins'] = []): Promise<PonteServer> {
  return startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi'], repository: EXAMPLE_MODELS, routes, ...extra }, builtins });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('a Flask endpoint moves to config: POST /prever_compra answers {"probabilidade_compra": p}, the named API\'s probability', async () => {
  const server = await start([FLASK_ROUTE]);
  try {
    const custom = await post(`${server.url}/prever_compra`, CUSTOMER);
    assert.equal(custom.status, 200, JSON.stringify(custom.json));
    assert.deepEqual(Object.keys(custom.json), ['probabilidade_compra']);
    const named = await post(`${server.url}/v1/models/purchase:predict`, { instances: [CUSTOMER] });
    const p = (named.json['predictions'] as Array<{ probability: number }>)[0]!.probability;
    assert.equal(custom.json['probabilidade_compra'], p);
  } finally {
    await server.stop();
  }
});

test('a bad body gets a 400 naming the field, as the body spells it', async () => {
  const server = await start([FLASK_ROUTE]);
  try {
    const missing = await post(`${server.url}/prever_compra`, { age: 39 });
    assert.equal(missing.status, 400);
    assert.match(String(missing.json['error']), /^income: is required/);
    const negative = await post(`${server.url}/prever_compra`, { ...CUSTOMER, age: -4 });
    assert.equal(negative.status, 400);
    assert.match(String(negative.json['error']), /^age: must be >= 0/);
    const notObject = await post(`${server.url}/prever_compra`, '[1, 2]');
    assert.equal(notObject.status, 400);
    assert.match(String(notObject.json['error']), /^body: must be a JSON object of named features/);
  } finally {
    await server.stop();
  }
});

test('instances and OIP bodies, and answers made of labels, probabilities and raw outputs', async () => {
  const server = await start([
    { path: '/score/batch', model: 'purchase', request: 'instances', response: { buys: 'label', p: 'probability', all: 'probabilities' } },
    { path: '/score/tensor', model: 'purchase', request: 'oip', response: { raw: 'output:probabilities', label: 'output:label' } },
  ]);
  try {
    const batch = await post(`${server.url}/score/batch`, { instances: [CUSTOMER, { ...CUSTOMER, visits_last_30d: 20, cart_items: 4, is_returning: 1 }] });
    assert.equal(batch.status, 200, JSON.stringify(batch.json));
    const rows = batch.json['predictions'] as Array<Record<string, unknown>>;
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]!), ['buys', 'p', 'all']);
    assert.ok(['yes', 'no'].includes(rows[0]!['buys'] as string));
    const tensor = await post(`${server.url}/score/tensor`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: Object.values(CUSTOMER) }] });
    assert.equal(tensor.status, 200, JSON.stringify(tensor.json));
    const [row] = tensor.json['predictions'] as Array<{ raw: number[]; label: number }>;
    assert.equal(row!.raw.length, 2);
    assert.equal(row!.raw[1], rows[0]!['p']);
    assert.equal(row!.label, 0);
  } finally {
    await server.stop();
  }
});

test('a route config that cannot work is a config error naming routes[i]', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...FLASK_ROUTE, model: 'nope' }, /routes\[0\]\.model: no model "nope" is configured/],
    [{ ...FLASK_ROUTE, path: '/v2/models/purchase/infer' }, /routes\[0\]\.path: POST \/v2\/models\/purchase\/infer is already served by the route "infer"/],
    [{ ...FLASK_ROUTE, path: '/items/{id}' }, /routes\[0\]\.path: "\/items\/\{id\}" must be a literal path/],
    [{ ...FLASK_ROUTE, response: { p: 'chance' } }, /routes\/0\/response\/p|routes\[0\]\.response\.p/],
  ];
  for (const [route, message] of cases) {
    await assert.rejects(start([route]), (e: unknown) => {
      assert.ok(isPonteError(e), String(e));
      assert.match(e.message, message);
      return true;
    });
  }
});

test('the OpenAPI document lists the route', async () => {
  const server = await start([FLASK_ROUTE]);
  try {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, { post?: { tags: string[]; description: string } }> };
    const op = doc.paths['/prever_compra']?.post;
    assert.ok(op, 'POST /prever_compra is documented');
    assert.deepEqual(op.tags, ['Custom routes']);
    assert.match(op.description, /probabilidade_compra/);
  } finally {
    await server.stop();
  }
});

test('behind an auth plugin the route needs credentials, like every infer route', async () => {
  const auth = bearerTestAuth((t) => (t === 'let-me-in' ? { id: 'tester', scopes: ['infer:purchase'] } : t === 'reader' ? { id: 'reader', scopes: ['read:*'] } : undefined));
  const server = await start([FLASK_ROUTE], {}, [auth]);
  try {
    assert.equal((await post(`${server.url}/prever_compra`, CUSTOMER)).status, 401);
    assert.equal((await post(`${server.url}/prever_compra`, CUSTOMER, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await post(`${server.url}/prever_compra`, CUSTOMER, { authorization: 'Bearer reader' })).status, 403);
    assert.equal((await post(`${server.url}/prever_compra`, CUSTOMER, { authorization: 'Bearer let-me-in' })).status, 200);
  } finally {
    await server.stop();
  }
});
