/**
 * A user writes a model as a JavaScript module (`model.mjs` exporting
 * `load()` → `{ metadata, predict }`) and serves it. These tests load the real
 * fixture modules of `test/fixtures/repo` (plain `.mjs`, not compiled; the
 * tests run from dist/test and find them in test/) through the format, then
 * through a real server as a client would see them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadedModel, PonteServer, Tensor } from '@ponte/core';
import { startTestServer } from '@ponte/http/testing';
import { jsModelFormat } from '@ponte/js-model';

const REPO = fileURLToPath(new URL('../../test/fixtures/repo/', import.meta.url));
const fileOf = (model: string): string => join(REPO, model, '1', 'model.mjs');

function load(model: string, options: Record<string, unknown> = {}): Promise<LoadedModel> {
  return jsModelFormat.load({ name: model, version: '1', dir: join(REPO, model, '1'), file: fileOf(model), options });
}

/** The fixture module itself: the same URL the format imports, so the same module instance. */
async function fixtureModule<T>(model: string): Promise<T> {
  return (await import(pathToFileURL(fileOf(model)).href)) as T;
}

const fp32 = (name: string, values: number[]): Tensor => ({ name, datatype: 'FP32', shape: [values.length, 1], data: Float32Array.from(values) });
const values = (t: Tensor): number[] => Array.from(t.data as Float32Array);

test('the format claims model.mjs and model.js files', () => {
  assert.equal(jsModelFormat.name, 'js');
  assert.deepEqual(jsModelFormat.fileNames, ['model.mjs', 'model.js']);
});

test('a module exporting load() is given its name, version, folder and options, and reports the signature its metadata declares', async () => {
  const model = await load('scorer', { offset: 0.5 });
  try {
    assert.deepEqual(model.signature, {
      inputs: [{ name: 'a', datatype: 'FP32', shape: [-1, 1] }, { name: 'b', datatype: 'FP32', shape: [-1, 1] }],
      outputs: [{ name: 'score', datatype: 'FP32', shape: [-1, 1] }, { name: 'diff', datatype: 'FP32', shape: [-1, 1] }],
    });
    assert.equal(model.platform, 'javascript_module', 'the default platform when the metadata names none');
    const { seen } = await fixtureModule<{ seen: unknown[] }>('scorer');
    assert.deepEqual(seen.at(-1), { name: 'scorer', version: '1', dir: join(REPO, 'scorer', '1'), options: { offset: 0.5 } });
  } finally {
    await model.close();
  }
});

test('predict gets the inputs in signature order whatever order a request sends them, and answers every row', async () => {
  // weights.json next to the module: score = 2a + 10b, plus the offset option.
  const model = await load('scorer', { offset: 0.5 });
  try {
    const out = await model.run({ inputs: [fp32('b', [1, 0, -1]), fp32('a', [3, 4, 5])] });
    assert.deepEqual(out.map((t) => [t.name, t.shape]), [['score', [3, 1]], ['diff', [3, 1]]]);
    assert.deepEqual(values(out[0]!), [16.5, 8.5, 0.5]);
    assert.deepEqual(values(out[1]!), [2, 4, 6]);
  } finally {
    await model.close();
  }
});

test('a request naming some outputs gets just those, in the order it asked', async () => {
  const model = await load('scorer');
  try {
    const inputs = [fp32('a', [1]), fp32('b', [2])];
    assert.deepEqual((await model.run({ inputs, outputs: ['diff'] })).map((t) => [t.name, values(t)]), [['diff', [-1]]]);
    assert.deepEqual((await model.run({ inputs, outputs: ['diff', 'score'] })).map((t) => [t.name, values(t)]), [['diff', [-1]], ['score', [22]]]);
  } finally {
    await model.close();
  }
});

test('load() may be a method of the default export, and a platform in the metadata is reported', async () => {
  const model = await load('default-export');
  try {
    assert.equal(model.platform, 'business_rules');
    const [doubled] = await model.run({ inputs: [{ name: 'x', datatype: 'INT32', shape: [3], data: Int32Array.from([1, -2, 30]) }] });
    assert.deepEqual([doubled!.name, doubled!.datatype, Array.from(doubled!.data as Int32Array)], ['doubled', 'INT32', [2, -4, 60]]);
  } finally {
    await model.close();
  }
});

test("closing the model runs the module's close() once, however often it is closed", async () => {
  const fixture = await fixtureModule<{ closes: number }>('scorer');
  const model = await load('scorer');
  const before = fixture.closes;
  await model.close();
  await model.close();
  assert.equal(fixture.closes - before, 1);
});

test('a module whose load() throws fails to load with its own message', async () => {
  await assert.rejects(load('load-throws'), /thresholds\.csv is missing: run the export first/);
});

test('a module whose predict() throws fails that run with its own error, and the model goes on serving', async () => {
  const model = await load('predict-throws');
  try {
    await assert.rejects(model.run({ inputs: [fp32('x', [4, -1])] }), { name: 'RangeError', message: 'x must not be negative' });
    assert.deepEqual(values((await model.run({ inputs: [fp32('x', [4, 9])] }))[0]!), [2, 3]);
  } finally {
    await model.close();
  }
});

test('a module of the wrong shape is refused, naming the file and what it must export', async () => {
  await assert.rejects(load('no-load'), { message: `${fileOf('no-load')} must export a load() function` });
  await assert.rejects(load('no-predict'), { message: `load() in ${fileOf('no-predict')} must return { metadata, predict }` });
});

test('metadata that does not describe tensors is refused, naming the entry at fault', async () => {
  const x = { name: 'x', datatype: 'FP32', shape: [-1] };
  const cases: Array<[string, unknown, RegExp]> = [
    ['no inputs', {}, /^metadata\.inputs must be a non-empty array$/],
    ['empty inputs', { inputs: [], outputs: [x] }, /^metadata\.inputs must be a non-empty array$/],
    ['no outputs', { inputs: [x] }, /^metadata\.outputs must be a non-empty array$/],
    ['a datatype OIP does not have', { inputs: [{ ...x, datatype: 'FLOAT32' }], outputs: [x] }, /^metadata\.inputs\[0\] must be \{ name: string, datatype: OIP datatype, shape: integers \(-1 = dynamic\) \}$/],
    ['a fractional dimension', { inputs: [x, { name: 'y', datatype: 'FP32', shape: [-1, 2.5] }], outputs: [x] }, /^metadata\.inputs\[1\] must be/],
    ['a dimension below -1', { inputs: [{ ...x, shape: [-2] }], outputs: [x] }, /^metadata\.inputs\[0\] must be/],
    ['a shape that is not an array', { inputs: [{ ...x, shape: '-1' }], outputs: [x] }, /^metadata\.inputs\[0\] must be/],
    ['an output without a name', { inputs: [x], outputs: [{ datatype: 'FP32', shape: [-1] }] }, /^metadata\.outputs\[0\] must be/],
  ];
  for (const [what, metadata, message] of cases) {
    await assert.rejects(load('shaped', { metadata }), { message }, what);
  }
  const fine = await load('shaped');
  assert.deepEqual(fine.signature.inputs, [x], 'the same module with good metadata loads');
  await fine.close();
});

test('a predict() that answers under another name, or not with an array, fails the run saying what was expected', async () => {
  const renamed = await load('wrong-output');
  await assert.rejects(renamed.run({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: Float32Array.from([1]) }] }), { message: 'predict() did not return output "y"' });
  const bare = await load('wrong-output', { bare: true });
  await assert.rejects(bare.run({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: Float32Array.from([1]) }] }), { message: 'predict() must return an array of tensors' });
});

describe('served by a real server with the @ponte/js-model plugin', () => {
  let server: PonteServer;
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    const broken = ['load-throws', 'no-load', 'no-predict', 'wrong-output'].map((name) => ({ name, required: false }));
    server = await startTestServer({ config: { plugins: ['@ponte/js-model'], repository: REPO, models: [{ name: 'scorer', options: { offset: 0.5 } }, ...broken] } });
  });
  after(async () => {
    await server?.stop();
  });

  test("the model's metadata shows the module's signature and platform", async () => {
    const res = await fetch(`${server.url}/v2/models/scorer`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { name: string; platform: string; inputs: unknown[]; outputs: unknown[] };
    assert.equal(body.name, 'scorer');
    assert.equal(body.platform, 'javascript_module');
    assert.deepEqual(body.inputs, [{ name: 'a', datatype: 'FP32', shape: [-1, 1] }, { name: 'b', datatype: 'FP32', shape: [-1, 1] }]);
    assert.deepEqual(body.outputs, [{ name: 'score', datatype: 'FP32', shape: [-1, 1] }, { name: 'diff', datatype: 'FP32', shape: [-1, 1] }]);
  });

  test("inference answers with predict()'s results, using the model's options", async () => {
    const res = await post('/v2/models/scorer/infer', { inputs: [{ name: 'a', datatype: 'FP32', shape: [2, 1], data: [1, 2] }, { name: 'b', datatype: 'FP32', shape: [2, 1], data: [0.5, 0] }] });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { outputs: Array<{ name: string; data: number[] }> };
    assert.deepEqual(body.outputs.map((o) => [o.name, o.data]), [['score', [7.5, 4.5]], ['diff', [0.5, 2]]]);
  });

  test("a module that failed to load is not ready, and its readiness says why in the module's words", async () => {
    const reasons: Array<[string, string]> = [
      ['load-throws', 'thresholds.csv is missing: run the export first'],
      ['no-load', 'must export a load() function'],
      ['no-predict', 'must return { metadata, predict }'],
      // The warm-up run is what finds this one out, before any client does.
      ['wrong-output', 'predict() did not return output "y"'],
    ];
    for (const [name, words] of reasons) {
      const res = await fetch(`${server.url}/v2/models/${name}/ready`);
      assert.equal(res.status, 503, name);
      const body = (await res.json()) as { ready: boolean; reason: string };
      assert.ok(body.reason.includes(words), `${name}: ${body.reason}`);
    }
  });

  test("a predict() that throws answers 500 PONTE_MODEL_RUN_FAILED with the module's message", async () => {
    const res = await post('/v2/models/predict-throws/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [-1] }] });
    assert.equal(res.status, 500);
    const body = (await res.json()) as { code: string; error: string };
    assert.equal(body.code, 'PONTE_MODEL_RUN_FAILED');
    assert.match(body.error, /x must not be negative/);
  });
});
