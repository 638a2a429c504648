import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, definePlugin, isPonteError, loadConfigObject, PonteServer, Tokens, type Plugin } from '@ponte/core';

const silent = createLogger('silent');
const coreUrl = new URL('../src/index.js', import.meta.url).href;

async function create(config: Record<string, unknown>, builtins: Plugin[] = [], baseDir = '/'): Promise<PonteServer> {
  return PonteServer.create(loadConfigObject({ version: 1, server: { port: 0 }, ...config }, baseDir), { logger: silent, builtins });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPonteError(e), String(e));
    return e.code;
  }
  return 'no error';
}

test('plugins listed by package name load, register and start in dependency order, and stop in reverse', async () => {
  const events: string[] = [];
  const mk = (name: string, dependsOn: string[] = []): Plugin => definePlugin({
    name, kind: 'other', dependsOn,
    register() { events.push(`register ${name}`); },
    start() { events.push(`start ${name}`); },
    stop() { events.push(`stop ${name}`); },
  });
  const server = await create({}, [mk('b', ['a']), mk('a')]);
  await server.start();
  await server.stop();
  await server.stop();
  assert.deepEqual(events, ['register a', 'register b', 'start a', 'start b', 'stop b', 'stop a']);
});

test('a plugin loaded by relative path gets its validated options with defaults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-plugin-'));
  writeFileSync(join(dir, 'greeter.mjs'), `
import { definePlugin } from ${JSON.stringify(coreUrl)};
export default definePlugin({
  name: 'greeter', kind: 'other',
  configSchema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string', default: 'hello' }, times: { type: 'integer', minimum: 1 } } },
  register(ctx) { ctx.http.get('/greet', (c) => c.text(ctx.options.greeting.repeat(ctx.options.times ?? 1))); },
});`);
  const server = await create({ plugins: [{ package: './greeter.mjs', options: { times: 2 } }] }, [], dir);
  await server.start();
  try {
    const res = await fetch(`${server.url}/greet`);
    assert.equal(await res.text(), 'hellohello');
  } finally {
    await server.stop();
  }
  await assert.rejects(create({ plugins: [{ package: './greeter.mjs', options: { times: 0, colour: 1 } }] }, [], dir), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.messages.sort(), ['plugins[0].options.colour: unknown key', 'plugins[0].options.times: must be >= 1']);
    return true;
  });
});

test('a missing plugin, a module that is not a plugin, duplicates and missing dependencies are explicit errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-plugin-'));
  writeFileSync(join(dir, 'not-a-plugin.mjs'), 'export default { name: "x" };');
  assert.equal(await codeOf(create({ plugins: ['@ponte/does-not-exist'] })), 'PONTE_PLUGIN_NOT_FOUND');
  assert.equal(await codeOf(create({ plugins: ['./not-a-plugin.mjs'] }, [], dir)), 'PONTE_PLUGIN_INVALID');
  const p = definePlugin({ name: 'same', kind: 'other', register() {} });
  assert.equal(await codeOf(create({}, [p, p])), 'PONTE_PLUGIN_DUPLICATE');
  const needy = definePlugin({ name: 'needy', kind: 'other', dependsOn: ['absent'], register() {} });
  assert.equal(await codeOf(create({}, [needy])), 'PONTE_PLUGIN_DEPENDENCY_MISSING');
});

test('a plugin that throws in register or start is named in the error, with the original as cause', async () => {
  const boom = definePlugin({ name: 'boom', kind: 'other', register() { throw new Error('kaput'); } });
  await assert.rejects(create({}, [boom]), (e: unknown) => {
    assert.ok(isPonteError(e));
    assert.equal(e.code, 'PONTE_PLUGIN_FAILED');
    assert.equal(e.message, 'plugin "boom" failed in register: kaput');
    assert.equal((e.cause as Error).message, 'kaput');
    return true;
  });
  const lateBoom = definePlugin({ name: 'late', kind: 'other', register() {}, start() { throw new Error('no port'); } });
  const server = await create({}, [lateBoom]);
  await assert.rejects(server.start(), /plugin "late" failed in start: no port/);
  await server.stop();
});

test('plugins provide implementations of core tokens to the root container', async () => {
  const seen: string[] = [];
  const observer = definePlugin({
    name: 'observer', kind: 'exporter',
    register(ctx) { ctx.provide(Tokens.PipelineObserver, { name: 'obs', onRequestEnd: (c: { endpoint: string }) => seen.push(c.endpoint) }); },
  });
  const server = await create({}, [observer]);
  await server.start();
  try {
    await fetch(`${server.url}/v2`);
    assert.deepEqual(seen, ['server_metadata']);
  } finally {
    await server.stop();
  }
});

test('definePlugin refuses objects without a name or register', () => {
  assert.throws(() => definePlugin({ name: '', kind: 'other', register() {} }), /name/);
  assert.throws(() => definePlugin({ name: 'x', kind: 'other' } as never), /register/);
});

test('a start that fails (the port is taken, or a plugin refuses to start) stops the plugins that had started, without stop() being called', async () => {
  const { createServer } = await import('node:net');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  const events: string[] = [];
  const mk = (name: string, failStart = false): Plugin => definePlugin({
    name, kind: 'other',
    register() {},
    start() { if (failStart) throw new Error('no collector'); events.push(`start ${name}`); },
    stop() { events.push(`stop ${name}`); },
  });
  try {
    const busy = await create({ server: { host: '127.0.0.1', port } }, [mk('a'), mk('b')]);
    await assert.rejects(busy.start(), /EADDRINUSE/);
    assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
    await busy.stop(); // still safe afterwards, and stops nothing twice
    assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);

    events.length = 0;
    const refusing = await create({}, [mk('a'), mk('c', true)]);
    assert.equal(await codeOf(refusing.start()), 'PONTE_PLUGIN_FAILED');
    assert.deepEqual(events, ['start a', 'stop a']);
  } finally {
    taken.close();
  }
});
