/**
 * Model integrity: a model pins the sha256 of its model file, per version or
 * for every version; a version whose file does not match is not loaded, says
 * why, and leaves every other version and model serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createLogger, loadConfigObject, PonteServer } from '../src/index.js';
import { sha256OfFile } from '../src/registry/model-integrity.js';
import { infer, multiplierPlugin, repository, startServer } from './support/multiplier.js';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');
const WRONG = 'f'.repeat(64);

test('a version whose file matches its pinned sha256 serves; one that does not is not ready with the reason, and the rest keep serving', async (t) => {
  const dir = repository({ scale: { 1: 2, 2: 3 }, other: { 1: 10 } }, {
    scale: `versionPolicy: { all: true }\nsha256: { "1": "${digest('2').toUpperCase()}", "2": "${WRONG}" }\n`,
  });
  const server = await startServer(dir);
  t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });

  const v2 = server.registry.versionStatus('scale', '2');
  assert.equal(v2.state, 'failed');
  assert.equal(v2.reason, `sha256 mismatch: expected ${WRONG}, got ${digest('3')}`);
  assert.equal(server.registry.versionStatus('scale', '1').state, 'ready', 'digests compare case-insensitively');

  // The newest ready version serves unversioned requests; the tampered one refuses with its reason.
  assert.deepEqual((await infer(server, 'scale', [1])).value, { version: '1', y: [2] });
  const refused = await infer(server, 'scale', [1], '2');
  assert.equal(refused.status, 503);
  assert.match(refused.message ?? '', /sha256 mismatch: expected f{64}, got [0-9a-f]{64}/);
  assert.deepEqual((await infer(server, 'other', [1])).value, { version: '1', y: [10] });

  const readiness = server.registry.readiness().models.find((m) => m.name === 'scale');
  assert.equal(readiness?.ready, false);
  assert.match(readiness?.reason ?? '', /version 2: sha256 mismatch/);
});

test('a single digest in the server config pins the model over its model.yaml; a map that omits a version keeps that version out', async (t) => {
  const dir = repository({ single: { 1: 4 }, pinned: { 1: 5, 2: 6 } }, { single: `sha256: "${WRONG}"\n` });
  const loaded = loadConfigObject({
    version: 1,
    server: { port: 0 },
    repository: dir,
    models: [
      { name: 'single', sha256: digest('4') },
      { name: 'pinned', versionPolicy: { all: true }, sha256: { 1: digest('5') } },
    ],
  }, dir);
  const server = await PonteServer.create(loaded, { logger: createLogger('silent'), defaults: [multiplierPlugin] });
  await server.start();
  t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });

  assert.equal(server.registry.versionStatus('single', '1').state, 'ready');
  assert.equal(server.registry.versionStatus('pinned', '1').state, 'ready');
  const unpinned = server.registry.versionStatus('pinned', '2');
  assert.equal(unpinned.state, 'failed');
  assert.equal(unpinned.reason, 'sha256: no digest pinned for version 2 (sha256 lists 1)');
});

test('a malformed sha256 is a config error naming the path', () => {
  for (const bad of ['abc', { latest: WRONG }, { 1: 'xyz' }, {}]) {
    assert.throws(() => loadConfigObject({ version: 1, models: [{ name: 'm', source: '.', sha256: bad }] }, '/'), (e: unknown) => e instanceof ConfigError && e.messages.some((m) => m.startsWith('models[0].sha256')), JSON.stringify(bad));
  }
});

test('sha256OfFile streams a file to the same digest node:crypto gives its bytes', async (t) => {
  const dir = repository({});
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.bin');
  const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7);
  writeFileSync(file, bytes);
  assert.equal(await sha256OfFile(file), createHash('sha256').update(bytes).digest('hex'));
});
