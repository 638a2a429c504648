/**
 * An operator deploys a repository where some models are broken (a corrupt
 * model.onnx, a version folder without a model file, a model folder without
 * versions). The good models serve; the broken ones say why on every route a
 * client or a probe would try; readiness follows whether they are required.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { assertError, get, loadGolden, PLUGINS, post } from './support/rest.js';

const golden = loadGolden('purchase');
const PURCHASE_ROW = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: golden.inputs[0] }] };
const BROKEN = ['garbage', 'empty', 'hollow'] as const;

let repo: string;

before(() => {
  repo = mkdtempSync(join(tmpdir(), 'ponte-broken-'));
  cpSync(join(EXAMPLE_MODELS, 'purchase'), join(repo, 'purchase'), { recursive: true });
  // garbage: a model.onnx that is not ONNX at all.
  mkdirSync(join(repo, 'garbage', '1'), { recursive: true });
  writeFileSync(join(repo, 'garbage', '1', 'model.onnx'), Buffer.from('this is not a protobuf \u0000\u00ff\u00fe model file, just bytes'.repeat(20), 'latin1'));
  // empty: a version folder with no model file in it.
  mkdirSync(join(repo, 'empty', '1'), { recursive: true });
  writeFileSync(join(repo, 'empty', '1', 'README.txt'), 'the model file was never copied here\n');
  // hollow: a model folder with no version folders.
  mkdirSync(join(repo, 'hollow'), { recursive: true });
  writeFileSync(join(repo, 'hollow', 'model.yaml'), 'description: "versions not uploaded yet"\n');
});

after(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('broken models marked required: false', () => {
  let server: PonteServer;
  before(async () => {
    server = await startTestServer({
      config: { plugins: PLUGINS, repository: repo, models: BROKEN.map((name) => ({ name, required: false })) },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('the good model serves', async () => {
    const res = await post(server.url, '/v2/models/purchase/infer', PURCHASE_ROW);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const named = await post(server.url, '/v1/models/purchase:predict', { instances: [golden.inputs_named[0]] });
    assert.equal(named.status, 200, JSON.stringify(named.body));
  });

  test('the server is ready, and its readiness detail lists each broken model with the reason', async () => {
    const res = await get(server.url, '/v2/health/ready');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ready, true);
    const byName = new Map<string, { ready: boolean; required: boolean; reason?: string }>(res.body.models.map((m: { name: string }) => [m.name, m]));
    assert.equal(byName.get('purchase')?.ready, true);
    for (const name of BROKEN) {
      const m = byName.get(name);
      assert.ok(m, `${name} missing from the readiness detail`);
      assert.equal(m.ready, false);
      assert.equal(m.required, false);
      assert.equal(typeof m.reason, 'string');
    }
    assert.match(byName.get('garbage')!.reason!, /version 1: .*model\.onnx/, 'the runtime\'s own complaint about the file');
    assert.match(byName.get('empty')!.reason!, /version 1: no model file in .*empty.*expected model\.onnx/);
    assert.match(byName.get('hollow')!.reason!, /no version directories/);
  });

  test('GET /v1/models shows the broken models as not ready, with reasons', async () => {
    const res = await get(server.url, '/v1/models');
    assert.equal(res.status, 200);
    for (const m of res.body.models) {
      assert.equal(m.ready, m.name === 'purchase', m.name);
      if (m.name !== 'purchase') assert.ok(m.reason, `${m.name} has no reason`);
    }
  });

  test('metadata of the corrupt model answers, with ready false and the reason', async () => {
    const res = await get(server.url, '/v2/models/garbage');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.name, 'garbage');
    assert.equal(res.body.ready, false);
    assert.equal(res.body.state, 'failed');
    assert.match(res.body.reason, /version 1: .*model\.onnx/);
    assert.deepEqual(res.body.version_status.map((v: { version: string; state: string }) => [v.version, v.state]), [['1', 'failed']]);
    const version = await get(server.url, '/v2/models/garbage/versions/1');
    assert.equal(version.status, 200);
    assert.equal(version.body.ready, false);
    assert.equal(version.body.state, 'failed');
    assert.equal(typeof version.body.reason, 'string');
    assert.ok(version.body.reason.length > 0);
  });

  test('metadata of a model without versions says so', async () => {
    const res = await get(server.url, '/v2/models/hollow');
    assert.equal(res.status, 200);
    assert.equal(res.body.ready, false);
    assert.match(res.body.reason, /no version directories/);
  });

  for (const name of BROKEN) {
    test(`GET /v2/models/${name}/ready is 503 with the reason`, async () => {
      const res = await get(server.url, `/v2/models/${name}/ready`);
      assert.equal(res.status, 503);
      assert.equal(res.body.ready, false);
      assert.equal(typeof res.body.reason, 'string');
    });
  }

  for (const name of ['garbage', 'empty'] as const) {
    test(`inference on ${name} is 503 PONTE_MODEL_NOT_READY with the reason`, async () => {
      const res = await post(server.url, `/v2/models/${name}/infer`, PURCHASE_ROW);
      assertError(res, 503, 'PONTE_MODEL_NOT_READY', `"${name}"`, 'version 1: ');
      const versioned = await post(server.url, `/v2/models/${name}/versions/1/infer`, PURCHASE_ROW);
      assertError(versioned, 503, 'PONTE_MODEL_NOT_READY', `"${name}" version 1 is failed: `);
    });
  }

  test('the reason for the empty version names the missing file in every answer', async () => {
    const res = await post(server.url, '/v2/models/empty/infer', PURCHASE_ROW);
    assertError(res, 503, 'PONTE_MODEL_NOT_READY', 'no model file', 'model.onnx');
  });

  test('the named API on a broken model is 503 too', async () => {
    const res = await post(server.url, '/v1/models/garbage:predict', { instances: [[1, 2, 3]] });
    assertError(res, 503, 'PONTE_MODEL_NOT_READY', '"garbage"');
  });

  test('inference on the model without versions is 503 with its reason', async () => {
    const res = await post(server.url, '/v2/models/hollow/infer', PURCHASE_ROW);
    assertError(res, 503, 'PONTE_MODEL_NOT_READY', 'no version directories');
  });
});

describe('a broken model that is required', () => {
  let server: PonteServer;
  before(async () => {
    // garbage is required (the default for every model of a repository); the others are not.
    server = await startTestServer({
      config: { plugins: PLUGINS, repository: repo, models: [{ name: 'empty', required: false }, { name: 'hollow', required: false }] },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('/v2/health/ready is 503 and names the required model that is not ready', async () => {
    const res = await get(server.url, '/v2/health/ready');
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.ready, false);
    const garbage = res.body.models.find((m: { name: string }) => m.name === 'garbage');
    assert.equal(garbage.required, true);
    assert.equal(garbage.ready, false);
    assert.match(garbage.reason, /version 1: /);
  });

  test('the server is still live, and purchase still answers 200', async () => {
    const live = await get(server.url, '/v2/health/live');
    assert.equal(live.status, 200);
    const res = await post(server.url, '/v2/models/purchase/infer', PURCHASE_ROW);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.model_name, 'purchase');
  });
});
