/**
 * Limits shared through Redis (the local Redis at 127.0.0.1:6379, keys under a prefix of this
 * run, removed afterwards): several processes share one limit, and an outage falls back to each
 * process's local limit without failing a request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '@ponte/http/testing';
import { MODELS, post, PURCHASE_INFER, REDIS_URL, redisPrefix, redisProxy, serveProcess, type Answer } from './support.js';

test('two `ponte serve` processes share one limit through Redis: together they accept the limit, within 10 %', async (t) => {
  const redis = redisPrefix();
  const dir = mkdtempSync(join(tmpdir(), 'ponte-ratelimit-'));
  t.after(async () => {
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const LIMIT = 50;
  // A window far longer than the burst below takes even on a slow machine, so every request falls
  // in one window and the count is exact (a fixed window's count across a boundary would not be).
  const WINDOW_S = 30;
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0 }
logging: { level: info, requests: false }
plugins:
  - '@ponte/onnx'
  - package: '@ponte/ratelimit'
    options:
      store: redis
      redis: { url: ${JSON.stringify(REDIS_URL)}, keyPrefix: ${JSON.stringify(redis.prefix)} }
      limits: [{ per: model, models: [purchase], rate: ${LIMIT}, perSeconds: ${WINDOW_S} }]
models: ${JSON.stringify(MODELS.slice(0, 1))}
`);
  const servers = await Promise.all([serveProcess(file), serveProcess(file)]);
  t.after(() => Promise.all(servers.map((s) => s.stop())));
  assert.notEqual(servers[0]!.url, servers[1]!.url);

  // 4 × the limit, half to each process, 8 at a time on each.
  const answers: Array<{ server: number; answer: Answer }> = [];
  const startedAt = performance.now();
  await Promise.all(servers.flatMap((s, server) => Array.from({ length: 8 }, async () => {
    while (answers.filter((a) => a.server === server).length < 2 * LIMIT) {
      answers.push({ server, answer: { status: 0, retryAfter: null, body: {}, text: '' } });
      answers[answers.length - 1]!.answer = await post(`${s.url}/v2/models/purchase/infer`, PURCHASE_INFER);
    }
  })));
  const tookS = (performance.now() - startedAt) / 1000;
  assert.ok(tookS < WINDOW_S, `the burst fit in one window (${tookS.toFixed(1)} s)`);

  const accepted = answers.filter((a) => a.answer.status === 200);
  const refused = answers.filter((a) => a.answer.status === 429);
  assert.equal(accepted.length + refused.length, answers.length, `only 200 and 429: ${[...new Set(answers.map((a) => a.answer.status))].join(', ')}`);
  assert.ok(Math.abs(accepted.length - LIMIT) <= LIMIT * 0.1, `${accepted.length} accepted across both processes, limit ${LIMIT}`);
  for (const server of [0, 1]) assert.ok(accepted.some((a) => a.server === server), `process ${server} accepted some`);
  for (const r of refused) {
    assert.equal(r.answer.body.code, 'PONTE_RATE_LIMITED');
    assert.ok(Number(r.answer.retryAfter) >= 1 && Number(r.answer.retryAfter) <= WINDOW_S);
  }
  // One counter, under this run's prefix, that counted every request of both processes (each
  // process alone would have accepted the whole limit: the sharing is Redis's).
  const keys = await redis.keys();
  assert.equal(keys.length, 1, keys.join(', '));
  assert.equal(Number(await redis.get(keys[0]!)), answers.length);
});

test('a Redis outage mid-test: every request is still answered at once (200 or the local 429), and the local limit applies', async (t) => {
  const redis = redisPrefix();
  const proxy = await redisProxy();
  t.after(() => redis.cleanup());
  const server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', { package: '@ponte/ratelimit', options: { store: 'redis', redis: { url: proxy.url, keyPrefix: redis.prefix }, limits: [{ per: 'model', rate: 5, perSeconds: 60 }] } }],
      models: MODELS.slice(0, 1),
    },
  });
  t.after(() => server.stop());
  const infer = `${server.url}/v2/models/purchase/infer`;

  for (let i = 0; i < 3; i++) assert.equal((await post(infer, PURCHASE_INFER)).status, 200);
  const [key] = await redis.keys();
  assert.ok(key !== undefined, 'the count is in Redis');
  assert.equal(await redis.get(key), '3');

  await proxy.cut();
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    const sent = performance.now();
    const a = await post(infer, PURCHASE_INFER);
    // Generous for a busy machine; waiting on Redis would cost the connect or command timeout at least.
    assert.ok(performance.now() - sent < 2000, `answered in ${Math.round(performance.now() - sent)} ms`);
    assert.ok(a.status === 200 || a.status === 429, `${a.status}: ${a.text}`);
    if (a.status === 429) assert.equal(a.body.code, 'PONTE_RATE_LIMITED');
    statuses.push(a.status);
  }
  // The local limit (5, one process sharing) starts afresh: the 3 counted in Redis are not known here.
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  assert.equal(await redis.get(key), '3', 'nothing reached Redis during the outage');

  // Redis back on the same address: ioredis reconnects and the shared count resumes.
  const back = await redisProxy(proxy.port);
  t.after(() => back.cut());
  let shared = false;
  for (let i = 0; i < 100 && !shared; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const a = await post(infer, PURCHASE_INFER);
    assert.ok(a.status === 200 || a.status === 429);
    shared = Number(await redis.get(key)) > 3;
  }
  assert.ok(shared, 'requests are counted in Redis again');
});

test('a Redis that stops answering without closing: a request waits at most the command timeout, soon none waits, and sharing resumes when it answers again', async (t) => {
  const redis = redisPrefix();
  const proxy = await redisProxy();
  t.after(async () => { await proxy.cut(); await redis.cleanup(); });
  const server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', { package: '@ponte/ratelimit', options: { store: 'redis', redis: { url: proxy.url, keyPrefix: redis.prefix, commandTimeoutMs: 1000 }, limits: [{ per: 'model', rate: 1_000_000, perSeconds: 60 }] } }],
      // Far above what 5 s of requests reach, on a fast machine too: this test is about waiting, not refusing.
      models: MODELS.slice(0, 1),
    },
  });
  t.after(() => server.stop());
  const infer = `${server.url}/v2/models/purchase/infer`;
  assert.equal((await post(infer, PURCHASE_INFER)).status, 200);

  proxy.hang();
  const took: number[] = [];
  const until = performance.now() + 5000;
  while (performance.now() < until) {
    const sent = performance.now();
    const a = await post(infer, PURCHASE_INFER);
    took.push(performance.now() - sent);
    assert.equal(a.status, 200, a.text);
  }
  assert.ok(Math.max(...took) < 2500, `slowest answer ${Math.round(Math.max(...took))} ms`);
  // Requests wait the 1 s command timeout only until the watchdog (a ping a second) drops the
  // silent connection; from then on they go to the local limit without trying Redis.
  const waited = took.filter((ms) => ms >= 900).length;
  assert.ok(waited <= 3, `${waited} of ${took.length} answers waited on Redis`);
  assert.ok(took.length > 10);

  // The network heals: the watchdog drops the connection left hanging and counting is shared again.
  proxy.heal();
  const [key] = await redis.keys();
  const before = Number(await redis.get(key!));
  let shared = false;
  for (let i = 0; i < 100 && !shared; i++) {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await post(infer, PURCHASE_INFER)).status, 200);
    shared = Number(await redis.get(key!)) > before;
  }
  assert.ok(shared, 'requests are counted in Redis again');
});

test('Redis unreachable at start-up: the server starts anyway and limits locally', async (t) => {
  // A port nothing listens on.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));

  const server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', { package: '@ponte/ratelimit', options: { store: 'redis', redis: { url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 }, limits: [{ per: 'global', rate: 2, perSeconds: 60 }] } }],
      models: MODELS.slice(0, 1),
    },
  });
  t.after(() => server.stop());
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await post(`${server.url}/v2/models/purchase/infer`, PURCHASE_INFER)).status);
  assert.deepEqual(statuses, [200, 200, 429]);
});
