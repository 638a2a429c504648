import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger, definePlugin, isPonteError, loadConfigObject, PonteServer, Tokens, type Plugin } from '../src/index.js';
import { DirectExchange } from './support/direct-protocol.js';

const silent = createLogger('silent');
const coreUrl = new URL('../src/index.js', import.meta.url).href;

async function create(config: Record<string, unknown>, defaults: Plugin[] = [], baseDir = '/'): Promise<PonteServer> {
  return PonteServer.create(loadConfigObject({ version: 1, server: { port: 0 }, ...config }, baseDir), { logger: silent, defaults });
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

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return 'no error';
}

test('plugins register and start in dependency order, and stop in reverse, through the hooks register returns', async () => {
  const events: string[] = [];
  const mk = (name: string, dependsOn: string[] = []): Plugin => definePlugin({
    name, kind: 'other', dependsOn,
    register() {
      events.push(`register ${name}`);
      return { start() { events.push(`start ${name}`); }, stop() { events.push(`stop ${name}`); } };
    },
  });
  const server = await create({}, [mk('b', ['a']), mk('a')]);
  await server.start();
  await server.stop();
  await server.stop();
  assert.deepEqual(events, ['register a', 'register b', 'start a', 'start b', 'stop b', 'stop a']);
});

test('one plugin object serves two servers, each with its own state in the closure register returns', async () => {
  let made = 0;
  const counter = definePlugin({
    name: 'counter', kind: 'exporter',
    register(ctx) {
      const id = ++made;
      let requests = 0;
      ctx.provide(Tokens.PipelineObserver, { name: `count-${id}`, onRequestEnd: () => { requests++; } });
      ctx.provide(Tokens.ServerInfo, { ...ctx.resolve(Tokens.ServerInfo), name: `server-${id}` });
      return { stop() { ctx.logger.info({ requests }, 'counted'); } };
    },
  });
  const one = await create({}, [counter]);
  const two = await create({}, [counter]);
  await Promise.all([one.start(), two.start()]);
  try {
    const ask = (s: PonteServer) => s.pipeline.handle(new DirectExchange('server_metadata', 'read'), { respond: () => ({ status: 200 }) });
    await ask(one);
    await ask(one);
    await ask(two);
    assert.equal(made, 2);
    assert.equal(one.container.resolve<{ name: string }>(Tokens.ServerInfo).name, 'server-1');
    assert.equal(two.container.resolve<{ name: string }>(Tokens.ServerInfo).name, 'server-2');
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
});

test('a plugin loaded by relative path gets its validated options with defaults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-plugin-'));
  writeFileSync(join(dir, 'greeter.mjs'), `
import { definePlugin, Tokens } from ${JSON.stringify(coreUrl)};
export default definePlugin({
  name: 'greeter', kind: 'other',
  configSchema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string', default: 'hello' }, times: { type: 'integer', minimum: 1 } } },
  register(ctx) { ctx.provide(Tokens.ServerInfo, { ...ctx.resolve(Tokens.ServerInfo), name: ctx.options.greeting.repeat(ctx.options.times ?? 1) }); },
});`);
  const server = await create({ plugins: [{ package: './greeter.mjs', options: { times: 2 } }] }, [], dir);
  assert.equal(server.container.resolve<{ name: string }>(Tokens.ServerInfo).name, 'hellohello');
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
  writeFileSync(join(dir, 'same.mjs'), `import { definePlugin } from ${JSON.stringify(coreUrl)};\nexport default definePlugin({ name: 'same', kind: 'other', register() {} });`);
  assert.equal(await codeOf(create({ plugins: ['./same.mjs', './same.mjs'] }, [], dir)), 'PONTE_PLUGIN_DUPLICATE');
  // A default plugin the config also lists is loaded once, with the config's options.
  await create({ plugins: ['./same.mjs'] }, [p], dir);
  const needy = definePlugin({ name: 'needy', kind: 'other', dependsOn: ['absent'], register() {} });
  assert.equal(await codeOf(create({}, [needy])), 'PONTE_PLUGIN_DEPENDENCY_MISSING');
});

test('a plugin that declares a core range this core is not in is refused at load, naming both versions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-plugin-'));
  writeFileSync(join(dir, 'future.mjs'), `import { definePlugin } from ${JSON.stringify(coreUrl)};\nexport default definePlugin({ name: 'future', kind: 'other', core: '^9.0.0', register() {} });`);
  writeFileSync(join(dir, 'current.mjs'), `import { definePlugin } from ${JSON.stringify(coreUrl)};\nexport default definePlugin({ name: 'current', kind: 'other', core: '^0.1.0', register() {} });`);
  assert.equal(await codeOf(create({ plugins: ['./future.mjs'] }, [], dir)), 'PONTE_PLUGIN_INCOMPATIBLE');
  assert.match(await messageOf(create({ plugins: ['./future.mjs'] }, [], dir)), /plugin "future" supports @ponte\/core \^9\.0\.0, not 0\.1\.0/);
  await create({ plugins: ['./current.mjs'] }, [], dir);
});

test('a plugin must register what its kind promises', async () => {
  const lazy = definePlugin({ name: 'lazy-validator', kind: 'validator', register() {} });
  assert.equal(await codeOf(create({}, [lazy])), 'PONTE_PLUGIN_INVALID');
  assert.match(await messageOf(create({}, [lazy])), /declares kind "validator" but registered none of ponte\.Validator/);
  const both = definePlugin({ name: 'format-and-validator', kind: ['model-format', 'validator'], register(ctx) { ctx.provide(Tokens.Validator, { name: 'v', validate() {} }); } });
  assert.match(await messageOf(create({}, [both])), /declares kind "model-format"/);
});

test('two plugins providing a one-implementation token is a config error naming both, not a silent last-wins', async () => {
  const authorizer = (name: string): Plugin => definePlugin({ name, kind: 'auth', register(ctx) { ctx.provide(Tokens.Authorizer, { authorize() {} }); } });
  assert.equal(await codeOf(create({}, [authorizer('first-authz'), authorizer('second-authz')])), 'PONTE_PLUGIN_CONFLICT');
  assert.match(await messageOf(create({}, [authorizer('first-authz'), authorizer('second-authz')])), /plugins "first-authz" and "second-authz" both provide ponte\.Authorizer/);
  // Tokens that take many (validators, observers, sinks …) take one per plugin and more.
  const validator = (name: string): Plugin => definePlugin({ name, kind: 'validator', register(ctx) { ctx.provide(Tokens.Validator, { name, validate() {} }); } });
  const server = await create({}, [validator('v1'), validator('v2')]);
  assert.deepEqual(server.container.resolveAll<{ name: string }>(Tokens.Validator).map((v) => v.name), ['v1', 'v2']);
});

test('resolving a core service that is built from plugins, during register, is refused with a way out', async () => {
  const eager = definePlugin({ name: 'eager', kind: 'other', register(ctx) { ctx.resolve(Tokens.RequestPipeline); } });
  assert.equal(await codeOf(create({}, [eager])), 'PONTE_PLUGIN_INVALID');
  assert.match(await messageOf(create({}, [eager])), /resolve it in start\(\) or in a handler/);
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
  const lateBoom = definePlugin({ name: 'late', kind: 'other', register: () => ({ start() { throw new Error('no port'); } }) });
  const server = await create({}, [lateBoom]);
  await assert.rejects(server.start(), /plugin "late" failed in start: no port/);
  await server.stop();
});

test('observers a plugin provides see every request the pipeline handles, with its route name', async () => {
  const seen: string[] = [];
  const observer = definePlugin({
    name: 'observer', kind: 'exporter',
    register(ctx) { ctx.provide(Tokens.PipelineObserver, { name: 'obs', onRequestEnd: (c, outcome) => seen.push(`${c.endpoint} ${outcome.status}`) }); },
  });
  const server = await create({}, [observer]);
  await server.start();
  try {
    await server.pipeline.handle(new DirectExchange('server_metadata', 'read'), { respond: () => ({ status: 200 }) });
    await server.pipeline.handle(new DirectExchange('infer', 'infer', { model: 'nope' }), { decode: () => { throw new Error('unreachable'); }, encode: () => ({ status: 200 }) });
    assert.deepEqual(seen, ['server_metadata 200', 'infer 404']);
  } finally {
    await server.stop();
  }
});

test('definePlugin refuses objects without a name or register', () => {
  assert.throws(() => definePlugin({ name: '', kind: 'other', register() {} }), /name/);
  assert.throws(() => definePlugin({ name: 'x', kind: 'other' } as never), /register/);
});

test('a start that fails stops the plugins that had started, without stop() being called', async () => {
  const events: string[] = [];
  const mk = (name: string, failStart = false): Plugin => definePlugin({
    name, kind: 'other',
    register: () => ({
      start() { if (failStart) throw new Error('no collector'); events.push(`start ${name}`); },
      stop() { events.push(`stop ${name}`); },
    }),
  });
  const refusing = await create({}, [mk('a'), mk('b'), mk('c', true)]);
  assert.equal(await codeOf(refusing.start()), 'PONTE_PLUGIN_FAILED');
  assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
  await refusing.stop(); // still safe afterwards, and stops nothing twice
  assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
});
