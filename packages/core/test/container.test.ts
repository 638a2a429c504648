import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalDirectoryStore } from '../src/registry/local-directory-store.js';
import { createLogger, definePlugin, DirectRunner, loadConfigObject, PonteServer, Tokens, type ModelView, type ReadyModel } from '../src/index.js';
import { infer, multiplierPlugin, repository, startServer } from './support/multiplier.js';

test('core services are classes the container builds with their dependencies, one set per server', async () => {
  const dir = repository({ double: { '1': 2 } });
  const [a, b] = await Promise.all([startServer(dir), startServer(dir)]);
  try {
    assert.notEqual(a.pipeline, b.pipeline);
    assert.equal(a.container.resolve(Tokens.RequestPipeline), a.pipeline, 'resolved once per server (a singleton in its container)');
    assert.equal(a.container.resolve(Tokens.ModelRegistry), a.registry);
    assert.deepEqual((await infer(a, 'double', [1, 2])).value, { version: '1', y: [2, 4] });
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a plugin that provides its own runner factory replaces the dynamic batcher for every model', async () => {
  const made: string[] = [];
  const unbatched = definePlugin({
    name: 'unbatched', kind: 'other',
    register(ctx) {
      ctx.provide(Tokens.RunnerFactory, {
        create(model, loaded) {
          made.push(`${model.name}/${model.version}`);
          return new DirectRunner(loaded);
        },
      });
    },
  });
  const server = await startServer(repository({ double: { '1': 2 }, triple: { '1': 3 } }), [unbatched]);
  try {
    assert.deepEqual(made.sort(), ['double/1', 'triple/1']);
    assert.ok(server.registry.readyVersions().every((r) => r.runner instanceof DirectRunner));
    assert.deepEqual((await infer(server, 'triple', [2])).value, { version: '1', y: [6] });
  } finally {
    await server.stop();
  }
});

test('a plugin that provides a version router decides which version serves unversioned requests', async () => {
  const pinned = definePlugin({
    name: 'pin-to-v1', kind: 'other',
    register(ctx) {
      ctx.provide(Tokens.VersionRouter, { route: (name, version) => ctx.resolve(Tokens.ModelRegistry).resolve(name, version ?? '1') });
    },
  });
  const dir = repository({ scale: { '1': 10, '2': 20 } }, { scale: 'versionPolicy: { all: true }\n' });
  const plain = await startServer(dir);
  const routed = await startServer(dir, [pinned]);
  try {
    assert.deepEqual((await infer(plain, 'scale', [1])).value, { version: '2', y: [20] });
    assert.deepEqual((await infer(routed, 'scale', [1])).value, { version: '1', y: [10] });
    assert.deepEqual((await infer(routed, 'scale', [1], '2')).value, { version: '2', y: [20] });
  } finally {
    await Promise.all([plain.stop(), routed.stop()]);
  }
});

test('each model version gets a child container holding its view', async () => {
  const server = await startServer(repository({ scale: { '1': 10, '2': 20 } }, { scale: 'versionPolicy: { all: true }\n' }));
  try {
    const versions = server.registry.readyVersions() as ReadyModel[];
    assert.equal(versions.length, 2);
    for (const r of versions) {
      const view = r.scope.resolve<ModelView>(Tokens.ModelVersion);
      assert.equal(view.version, r.version);
      assert.equal(r.scope.resolve(Tokens.ModelRegistry), server.registry, 'server-wide services resolve through the parent');
    }
    assert.notEqual(versions[0]!.scope, versions[1]!.scope);
  } finally {
    await server.stop();
  }
});

test('a model source with a scheme is read through the model store a plugin provides for it', async () => {
  const local = repository({ double: { '7': 2 } });
  const fetched: string[] = [];
  const mirror = definePlugin({
    name: 'mirror-store', kind: 'store',
    register(ctx) {
      ctx.provide(Tokens.ModelStore, {
        scheme: 'mirror',
        list: async () => ['7'],
        // A remote store would download the version here; this one points at a local copy.
        fetch: async (source, version) => { fetched.push(`${source}@${version}`); return join(local, 'double', version); },
      });
    },
  });
  const server = await PonteServer.create(loadConfigObject({ version: 1, models: [{ name: 'remote', source: 'mirror://models/double', format: 'multiplier' }] }, local), { logger: createLogger('silent'), defaults: [multiplierPlugin, mirror] });
  await server.start();
  try {
    assert.deepEqual(fetched, ['mirror://models/double@7']);
    assert.deepEqual((await infer(server, 'remote', [4])).value, { version: '7', y: [8] });
    assert.throws(() => server.registry.storeFor('s3://bucket/m'), /no model store serves "s3:" sources \(loaded: file, mirror\)/);
  } finally {
    await server.stop();
  }
});

test('tokens are typed: providing the wrong kind of value for a token does not compile', () => {
  const typed = definePlugin({
    name: 'typed', kind: 'validator',
    register(ctx) {
      ctx.provide(Tokens.Validator, { name: 'ok', validate() {} });
      // @ts-expect-error a model format is not a validator (this line fails the build if tokens stop being typed)
      if (ctx.name === 'never') ctx.provide(Tokens.Validator, { name: 'fmt', fileNames: [], load: async () => { throw new Error(); } });
      // @ts-expect-error a string is not a runner factory
      if (ctx.name === 'never') ctx.provide(Tokens.RunnerFactory, 'batcher');
    },
  });
  assert.equal(typed.name, 'typed');
});

test('the local model store tells a watcher when a version folder appears', async () => {
  const dir = repository({ double: { '1': 2 } });
  const store = new LocalDirectoryStore();
  let changed!: () => void;
  const seen = new Promise<void>((r) => { changed = r; });
  const stop = store.watch(join(dir, 'double'), () => changed());
  try {
    mkdirSync(join(dir, 'double', '2'));
    await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('no change reported within 10 s')), 10_000))]);
    assert.deepEqual((await store.list(join(dir, 'double'))).sort(), ['1', '2']);
  } finally {
    stop();
  }
});
