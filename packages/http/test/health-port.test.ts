import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, definePlugin, loadConfigObject, PonteServer, Tokens, type LoadedModel, type ModelFormat } from '@ponte/core';
import { startTestServer } from '../src/testing.js';
import { httpProtocol } from '../src/index.js';

/** A gate a test opens when it wants the model to go on (load or run). */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}

/** A one-model repository whose model loads when `load` opens and answers each run when `run` opens. */
function gatedModel(load: Promise<void>, run: () => Promise<void>): { repository: string; plugin: ReturnType<typeof definePlugin> } {
  const repository = mkdtempSync(join(tmpdir(), 'ponte-health-'));
  mkdirSync(join(repository, 'echo', '1'), { recursive: true });
  writeFileSync(join(repository, 'echo', '1', 'model.echo'), '');
  const format: ModelFormat = {
    name: 'echo',
    fileNames: ['model.echo'],
    async load(): Promise<LoadedModel> {
      await load;
      return {
        platform: 'echo',
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
        async run(r) {
          await run();
          return [{ ...r.inputs[0]!, name: 'y' }];
        },
        async close() {},
      };
    },
  };
  const plugin = definePlugin({ name: 'echo-format', kind: 'model-format', register(ctx) { ctx.provide(Tokens.ModelFormat, format); } });
  return { repository, plugin };
}

async function create(config: Record<string, unknown>, plugin: ReturnType<typeof definePlugin>): Promise<PonteServer> {
  const loaded = loadConfigObject({ version: 1, logging: { level: 'silent' }, ...config }, process.cwd(), process.env);
  return PonteServer.create(loaded, { logger: createLogger('silent'), defaults: [httpProtocol, plugin] });
}

/**
 * Runs `script` in a separate Node process and waits for it synchronously, so
 * this test's own event loop (the server's) stays blocked the whole time.
 */
function whileBlocked(script: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Fetches each url once; a health port answers at once, so its bound is generous, while `shortMs` is for urls expected to hang. */
const probeScript = (urls: Record<string, string>, shortMs: Record<string, number> = {}): string => `
const urls = ${JSON.stringify(urls)};
const shortMs = ${JSON.stringify(shortMs)};
const out = {};
for (const [k, url] of Object.entries(urls)) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(shortMs[k] ?? 10000) });
    out[k] = { status: res.status, body: await res.json() };
  } catch (e) {
    out[k] = { error: e.name };
  }
}
console.log(JSON.stringify(out));`;

/**
 * Polls `live` until it answers 503 (or `boundMs` passes), then fetches
 * `ready` once. The blocked loop's age grows from whenever it last beat, so
 * the script waits for the outcome instead of guessing when it comes.
 */
const untilNotLiveScript = (live: string, ready: string, boundMs: number): string => `
const until = performance.now() + ${boundMs};
let live;
do {
  try {
    const res = await fetch(${JSON.stringify(live)}, { signal: AbortSignal.timeout(10000) });
    live = { status: res.status, body: await res.json() };
  } catch (e) {
    live = { error: e.name };
  }
  if (live.status === 503) break;
  await new Promise((r) => setTimeout(r, 50));
} while (performance.now() < until);
const res = await fetch(${JSON.stringify(ready)}, { signal: AbortSignal.timeout(10000) });
console.log(JSON.stringify({ live, ready: { status: res.status, body: await res.json() } }));`;

type Probe = { status?: number; body?: Record<string, unknown>; error?: string };

test('with server.health.port, probes are answered on their own port while the model loads and while the event loop is blocked', async () => {
  const loading = gate();
  const { repository, plugin } = gatedModel(loading.wait, async () => {});
  // stallMs far above how long the probing process can take to start on a
  // loaded box (seconds at worst), so this blocked loop is short of a stall
  // and the probes must say live and ready; a stall has its own test.
  const server = await create({ server: { port: 0, health: { port: 0, stallMs: 60_000 } }, plugins: [], repository }, plugin);
  const started = server.start();
  try {
    while (server.healthPort === undefined) await new Promise((r) => setTimeout(r, 5));
    const health = `http://127.0.0.1:${server.healthPort}`;
    const starting = await fetch(`${health}/v2/health/ready`);
    assert.equal(starting.status, 503, 'not ready while the model loads');
    assert.equal(((await starting.json()) as { state: string }).state, 'starting');
    assert.equal((await fetch(`${health}/v2/health/live`)).status, 200, 'live while loading');

    loading.open();
    await started;
    const ready = await fetch(`${health}/v2/health/ready`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { ready: boolean; models: Array<{ name: string; ready: boolean }> };
    assert.deepEqual([body.ready, body.models.map((m) => [m.name, m.ready])], [true, [['echo', true]]]);

    // The event loop is blocked for as long as the probing process runs: the
    // health port still answers, the data plane cannot (whatever the wait, so
    // a short bound for it is no timing bet).
    const blocked = whileBlocked(probeScript(
      { live: `${health}/v2/health/live`, ready: `${health}/v2/health/ready`, dataPlane: `${server.url}/v2/health/live` },
      { dataPlane: 500 },
    )) as Record<string, Probe>;
    assert.equal(blocked['live']!.status, 200, JSON.stringify(blocked));
    assert.equal(blocked['ready']!.status, 200, JSON.stringify(blocked));
    assert.equal(blocked['dataPlane']!.error, 'TimeoutError', 'the data-plane port waits for the blocked loop');
  } finally {
    loading.open();
    await started.catch(() => undefined);
    await server.stop();
  }
});

test('a stuck event loop fails liveness and readiness on the health port, saying why, and is live again once the loop runs', async () => {
  const { repository, plugin } = gatedModel(Promise.resolve(), async () => {});
  const stallMs = 400;
  const server = await create({ server: { port: 0, health: { port: 0, stallMs } }, plugins: [], repository }, plugin);
  await server.start();
  try {
    const health = `http://127.0.0.1:${server.healthPort!}`;
    // The loop stays blocked until the probing process sees liveness fail, or
    // for at most 75 × stallMs: a health thread that never notices the stall
    // shows as a last answer of 200 here, not as a hang.
    const stuck = whileBlocked(untilNotLiveScript(`${health}/v2/health/live`, `${health}/v2/health/ready`, 75 * stallMs)) as Record<string, Probe>;
    assert.equal(stuck['live']!.status, 503, JSON.stringify(stuck));
    assert.match(String(stuck['live']!.body!['reason']), new RegExp(`event loop of process ${process.pid} has not run for \\d+ ms \\(server\\.health\\.stallMs: ${stallMs}\\)`));
    assert.equal(stuck['ready']!.status, 503, JSON.stringify(stuck));

    // Once the loop turns it beats again; poll rather than sleep a fixed time,
    // since a loaded box may run the beat timer late.
    let live = 0;
    for (const until = performance.now() + 20_000; performance.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      live = (await fetch(`${health}/v2/health/live`)).status;
      if (live === 200) break;
    }
    assert.equal(live, 200, 'live again once the loop runs');
  } finally {
    await server.stop();
  }
});

test('the health port says "draining" during a graceful stop and closes with the server', async () => {
  const running = gate();
  const entered = gate();
  let armed = false; // warm-up runs pass; the test's request waits
  const { repository, plugin } = gatedModel(Promise.resolve(), async () => { if (!armed) return; entered.open(); await running.wait; });
  const server = await create({ server: { port: 0, health: { port: 0 } }, plugins: [], repository, models: [{ name: 'echo', batching: { enabled: false } }] }, plugin);
  await server.start();
  armed = true;
  const health = `http://127.0.0.1:${server.healthPort!}`;
  const inFlight = fetch(`${server.url}/v2/models/echo/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }] }) });
  await entered.wait;
  const stopped = server.stop();
  const draining = await fetch(`${health}/v2/health/ready`);
  assert.equal(draining.status, 503);
  assert.equal(((await draining.json()) as { state: string }).state, 'draining');
  running.open();
  assert.equal((await inFlight).status, 200, 'the request in flight finishes');
  await stopped;
  await assert.rejects(fetch(`${health}/v2/health/live`), 'the health port is closed after stop');
});

test('the health port answers only the two health endpoints, and only to GET and HEAD', async () => {
  const { repository, plugin } = gatedModel(Promise.resolve(), async () => {});
  const server = await create({ server: { port: 0, health: { port: 0 } }, plugins: [], repository }, plugin);
  await server.start();
  try {
    const health = `http://127.0.0.1:${server.healthPort!}`;
    const other = await fetch(`${health}/v2/models/echo`);
    assert.equal(other.status, 404);
    assert.match(((await other.json()) as { error: string }).error, /this port serves only \/v2\/health\/live and \/v2\/health\/ready/);
    const post = await fetch(`${health}/v2/health/live`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(`${health}/v2/health/ready`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200, 'the data-plane port keeps its health endpoints');
  } finally {
    await server.stop();
  }
});

test('a bad health setting is refused with its path, and a taken health port stops the start naming the port', async () => {
  assert.throws(() => loadConfigObject({ version: 1, server: { health: { port: 'x' } } }, process.cwd(), process.env), (e: unknown) => e instanceof ConfigError && /server\.health\.port/.test(e.message));
  assert.throws(() => loadConfigObject({ version: 1, server: { health: { port: 9000, stallMs: 10 } } }, process.cwd(), process.env), (e: unknown) => e instanceof ConfigError && /server\.health\.stallMs/.test(e.message));

  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as { port: number }).port;
  try {
    await assert.rejects(
      startTestServer({ config: { server: { health: { port } }, plugins: [] } }),
      new RegExp(`health listener on 127\\.0\\.0\\.1:${port}: EADDRINUSE`),
    );
  } finally {
    taken.close();
  }
});
