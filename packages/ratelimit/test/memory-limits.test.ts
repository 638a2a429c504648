/**
 * Rate limits and quotas in memory (the default store): refused at the admit stage with 429,
 * Retry-After and PONTE_RATE_LIMITED, before the body is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@ponte/core';
import { startTestServer } from '@ponte/http/testing';
import { bearerNames, HOUSE_INFER, MODELS, post, PURCHASE_INFER } from './support.js';

/** A server with the purchase and house models and these rate-limit options. */
function serve(options: Record<string, unknown>, withAuth = false) {
  return startTestServer({
    config: { plugins: ['@ponte/onnx', { package: '@ponte/ratelimit', options }], models: MODELS },
    builtins: withAuth ? [bearerNames] : [],
  });
}

test('a per-model limit of 3 refuses the 4th request with 429, Retry-After and the code — without reading the body; other models are not limited', async () => {
  const server = await serve({ limits: [{ per: 'model', models: ['purchase'], rate: 3, perSeconds: 60 }] });
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    for (let i = 0; i < 3; i++) assert.equal((await post(infer, PURCHASE_INFER)).status, 200);

    // Not JSON at all: a 400 would mean the body was read; the limit answers first.
    const refused = await post(infer, '{ this is not json');
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.body.code, 'PONTE_RATE_LIMITED');
    assert.equal(refused.body.error, 'rate limit exceeded for infer on purchase (per model): 3 requests per 60 s');
    const retryAfter = Number(refused.retryAfter);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.retryAfter}`);

    // The named-feature route draws on the same model's bucket.
    const predict = await post(`${server.url}/v1/models/purchase:predict`, { instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] });
    assert.equal(predict.status, 429);

    for (let i = 0; i < 5; i++) assert.equal((await post(`${server.url}/v2/models/house/infer`, HOUSE_INFER)).status, 200, 'house has no limit');
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200, 'health probes are never limited');
  } finally {
    await server.stop();
  }
});

test('per principal: each caller has a bucket of its own, and the refusal names no credential', async () => {
  const server = await serve({ limits: [{ per: 'principal', rate: 2, perSeconds: 60 }] }, true);
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    const alice = { authorization: 'Bearer alice-secret' };
    const bob = { authorization: 'Bearer bob-secret' };
    for (let i = 0; i < 2; i++) assert.equal((await post(infer, PURCHASE_INFER, alice)).status, 200);
    const refused = await post(infer, 'not json', alice);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.body.code, 'PONTE_RATE_LIMITED');
    assert.match(refused.body.error!, /^rate limit exceeded for infer on purchase \(per principal\): 2 requests per 60 s$/);
    assert.equal(refused.text.includes('secret'), false);

    // Bob's bucket is untouched by Alice's requests; a limit per principal counts every model.
    assert.equal((await post(infer, PURCHASE_INFER, bob)).status, 200);
    assert.equal((await post(`${server.url}/v2/models/house/infer`, HOUSE_INFER, bob)).status, 200);
    assert.equal((await post(infer, PURCHASE_INFER, bob)).status, 429);

    // The gate still runs first for per-principal limits: bad credentials are a 401, not a count.
    assert.equal((await post(infer, PURCHASE_INFER, { authorization: 'Bearer nobody' })).status, 401);
  } finally {
    await server.stop();
  }
});

test('without an auth plugin every caller is "anonymous": a per-principal limit is one bucket for all', async () => {
  const server = await serve({ limits: [{ per: 'principal', rate: 1, perSeconds: 60 }] });
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    assert.equal((await post(infer, PURCHASE_INFER)).status, 200);
    assert.equal((await post(infer, PURCHASE_INFER, { authorization: 'Bearer whoever-secret' })).status, 429);
  } finally {
    await server.stop();
  }
});

test('a per-principal quota over a day is reported as a quota, with Retry-After in seconds', async () => {
  const server = await serve({ quotas: [{ per: 'principal', requests: 2, actions: ['infer'] }] }, true);
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    const carol = { authorization: 'Bearer carol-secret' };
    // A metadata read is not an infer action: the quota does not count it.
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/v2/models/purchase`, { headers: carol })).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await post(infer, PURCHASE_INFER, carol)).status, 200);
    const refused = await post(infer, PURCHASE_INFER, carol);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, 'quota exceeded for infer on purchase (per principal): 2 requests per 86400 s');
    assert.ok(Number(refused.retryAfter) > 86_000 && Number(refused.retryAfter) <= 86_400, `Retry-After ${refused.retryAfter}`);
  } finally {
    await server.stop();
  }
});

test('a window refills when it ends: after Retry-After the caller is served again', async () => {
  const server = await serve({ limits: [{ per: 'global', rate: 2, perSeconds: 1 }] });
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    let refused;
    // The window may end between two requests on a slow machine: send until one is refused.
    for (let i = 0; i < 50 && refused === undefined; i++) {
      const a = await post(infer, PURCHASE_INFER);
      if (a.status === 429) refused = a;
      else assert.equal(a.status, 200);
    }
    assert.ok(refused !== undefined, 'a request was refused');
    assert.equal(refused.retryAfter, '1');
    assert.equal(refused.body.error, 'rate limit exceeded for infer on purchase (for the server): 2 requests per 1 s');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await post(infer, PURCHASE_INFER)).status, 200);
  } finally {
    await server.stop();
  }
});

test('a burst allowance serves a few more requests once the rate is used up', async () => {
  const server = await serve({ limits: [{ per: 'model', rate: 2, perSeconds: 60, burst: { requests: 2, perSeconds: 600 } }] });
  try {
    const infer = `${server.url}/v2/models/purchase/infer`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(infer, PURCHASE_INFER)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
  } finally {
    await server.stop();
  }
});

test('limits apply to every gated route by default, and only to the listed actions when given', async () => {
  const server = await serve({ limits: [{ per: 'global', rate: 2, perSeconds: 60 }, { per: 'model', actions: ['infer'], rate: 1, perSeconds: 60 }] });
  try {
    // The global limit counts metadata reads too.
    assert.equal((await fetch(`${server.url}/v2/models/purchase`)).status, 200);
    assert.equal((await post(`${server.url}/v2/models/purchase/infer`, PURCHASE_INFER)).status, 200);
    const third = await fetch(`${server.url}/v2/models/house`);
    assert.equal(third.status, 429);
    assert.match(((await third.json()) as { error: string }).error, /^rate limit exceeded for read on house \(for the server\)/);
  } finally {
    await server.stop();
  }
});

test('options are checked at start-up, each error naming its path', async () => {
  await assert.rejects(serve({ limits: [{ per: 'tenant', rate: 0, perSeconds: 0.5 }], store: 'disk' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    const text = e.messages.join('\n');
    for (const path of ['options.limits[0].per', 'options.limits[0].rate', 'options.limits[0].perSeconds', 'options.store']) assert.ok(text.includes(path), `${path} in:\n${text}`);
    return true;
  });
  await assert.rejects(serve({}), /options\.limits: give at least one limit or quota/);
});
