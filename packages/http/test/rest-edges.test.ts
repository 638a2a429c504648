import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import type { PonteServer } from '@ponte/core';
import { HttpTokens } from '../src/index.js';

let server: PonteServer;
before(async () => {
  server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema'], repository: EXAMPLE_MODELS, models: [{ name: 'wide_mlp', required: false, versionPolicy: { specific: ['9'] } }] } });
});
after(() => server.stop());

const infer = (body: unknown): Promise<Response> => fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify(body) });

test('a known route called with the wrong method answers 405 with Allow', async () => {
  const res = await fetch(`${server.url}/v2/models/purchase`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET');
  assert.deepEqual(await res.json(), { error: '/v2/models/purchase answers GET, not DELETE', code: 'PONTE_METHOD_NOT_ALLOWED' });
  const get = await fetch(`${server.url}/v1/models/purchase:predict`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});

test('nested data that does not follow the shape is refused even when the count matches', async () => {
  const res = await infer({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], data: [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7]] }] });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: 'inputs[0].data[0]: nested data must follow shape [2, 8]; dimension 1 has 9 entries, expected 8', code: 'PONTE_BAD_REQUEST' });
  const ok = await infer({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], data: [[39, 52.7, 0, 3.26, 3, 365, 0, 0], [35, 48.3, 3, 3.39, 13, 365, 0, 0]] }] });
  assert.equal(ok.status, 200);
});

test('asking for the same output twice is refused', async () => {
  const res = await infer({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }], outputs: [{ name: 'label' }, { name: 'label' }] });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: string }).error, 'outputs[1].name: output "label" asked for twice');
});

test('a model whose only version is missing is reported, and the others serve', async () => {
  const ready = (await (await fetch(`${server.url}/v2/health/ready`)).json()) as { ready: boolean; models: Array<{ name: string; ready: boolean; reason?: string }> };
  assert.equal(ready.ready, true);
  const wide = ready.models.find((m) => m.name === 'wide_mlp')!;
  assert.equal(wide.ready, false);
  assert.match(wide.reason ?? '', /version 9 named by versionPolicy\.specific does not exist/);
});

test('hostile bodies get a 400, never a 5xx: deep nesting, a huge rank, a huge declared shape', async () => {
  const deep = `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,8],"data":${'['.repeat(100000)}1${']'.repeat(100000)}}]}`;
  const cases: Array<[string, RegExp]> = [
    [deep, /^body: nests arrays and objects deeper than the limit of 64 \(server\.limits\.jsonDepth\)$/],
    [JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: new Array(100000).fill(1), data: [1] }] }), /^inputs\[0\]\.shape: at most 32 dimensions, got 100000$/],
    [JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP64', shape: [1 << 26, 8], data: [1] }] }), /^inputs\[0\]\.shape: input "input" of \d+ elements exceeds the limit of \d+ \(server\.limits\.tensorElements\)$/],
    [JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [100000, 8], data: [1] }] }), /^inputs\[0\]\.data: shape \[100000, 8\] needs 800000 elements, got 1$/],
  ];
  for (const [body, error] of cases) {
    const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body });
    assert.equal(res.status, 400, body.slice(0, 80));
    const json = (await res.json()) as { error: string; code: string };
    assert.equal(json.code, 'PONTE_BAD_REQUEST');
    assert.match(json.error, error);
  }
});

test('server metadata answers at /v2 and at /v2/, the OIP specification\'s spelling', async () => {
  for (const path of ['/v2', '/v2/']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    const body = (await res.json()) as { name: string; extensions: string[] };
    assert.deepEqual(body.extensions, ['binary_tensor_data']);
  }
});

test('an unknown model is a 404 whatever the body, before the body is read', async () => {
  for (const body of ['{}', 'not json', JSON.stringify({ inputs: [] })]) {
    const res = await fetch(`${server.url}/v2/models/nope/infer`, { method: 'POST', body });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'model "nope" is not configured', code: 'PONTE_MODEL_NOT_FOUND' });
  }
  const named = await fetch(`${server.url}/v1/models/nope:predict`, { method: 'POST', body: '{}' });
  assert.equal(named.status, 404);
});

test('the same routes answer in process through the fetch adapter, with the same pipeline and errors', async () => {
  const app = server.container.resolve<{ request(path: string, init?: RequestInit): Promise<Response> }>(HttpTokens.FetchApp);
  const ready = await app.request('/v2/health/ready');
  assert.equal(ready.status, 200);
  const res = await app.request('/v2/models/purchase/infer', { method: 'POST', headers: { 'x-request-id': 'in-process-1' }, body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-request-id'), 'in-process-1');
  const over = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] }) });
  assert.deepEqual(await res.json(), await over.json());
  const missing = await app.request('/v2/nowhere');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, 'PONTE_NOT_FOUND');
  const tooLarge = await app.request('/v2/models/purchase/infer', { method: 'POST', body: 'x'.repeat(64), headers: { 'content-length': String(64 * 1024 * 1024 * 1024) } });
  assert.equal(tooLarge.status, 413);
});
