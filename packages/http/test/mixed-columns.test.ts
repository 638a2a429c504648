import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../src/testing.js';
import type { PonteServer } from '@ponte/core';

// rent = 3·area_sqm + 50·rooms + 200·city_index + 100 (lisbon 0, porto 1, faro 2); see fixtures/repo-mixed/make_model.py.
const repo = fileURLToPath(new URL('../../test/fixtures/repo-mixed', import.meta.url));
let server: PonteServer;
before(async () => {
  server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema'], repository: repo } });
});
after(() => server.stop());

const predict = (instances: unknown[]): Promise<Response> => fetch(`${server.url}/v1/models/rent:predict`, { method: 'POST', body: JSON.stringify({ instances }) });

test('a model with one input per feature, mixing strings and numbers, takes named rows', async () => {
  const res = await predict([{ city: 'porto', area_sqm: 80, rooms: 3 }, ['faro', 50.5, 1]]);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { predictions: Array<{ prediction: number }> };
  assert.deepEqual(body.predictions.map((p) => p.prediction), [3 * 80 + 50 * 3 + 200 * 1 + 100, 3 * 50.5 + 50 * 1 + 200 * 2 + 100]);
});

test('the same model over the Open Inference Protocol takes a BYTES input beside FP32 and INT64 ones', async () => {
  const res = await fetch(`${server.url}/v2/models/rent/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [
      { name: 'city', datatype: 'BYTES', shape: [2, 1], data: ['lisbon', 'faro'] },
      { name: 'area_sqm', datatype: 'FP32', shape: [2, 1], data: [100, 40] },
      { name: 'rooms', datatype: 'INT64', shape: [2, 1], data: [4, 0] },
    ] }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { outputs: Array<{ name: string; shape: number[]; data: number[] }> };
  assert.deepEqual(body.outputs[0], { name: 'rent', datatype: 'FP32', shape: [2, 1], data: [3 * 100 + 50 * 4 + 100, 3 * 40 + 400 + 100] });
});

test('feature rules apply per column: an unknown city, a fractional room count and a missing feature are refused', async () => {
  const cases: Array<[unknown, string]> = [
    [{ city: 'madrid', area_sqm: 80, rooms: 3 }, 'instances[0].city: must be one of "lisbon", "porto", "faro"'],
    [{ city: 'porto', area_sqm: 80, rooms: 2.5 }, 'instances[0].rooms: must be an integer, got number 2.5'],
    [{ city: 'porto', rooms: 2 }, 'instances[0].area_sqm: is required'],
  ];
  for (const [row, error] of cases) {
    const res = await predict([row]);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error, code: 'PONTE_VALIDATION_FAILED' });
  }
});
