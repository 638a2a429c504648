import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { startTestServer } from '@ponte/http/testing';
import { exampleRepository, HOUSE_ROW, MODELS, post, PURCHASE_ROW, sum, type AttributionJson } from './support.js';

describe('explaining predictions over REST', () => {
  const repo = exampleRepository();
  let server: PonteServer;
  let url: string;
  before(async () => {
    server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/explain'], repository: repo.repository, models: MODELS } });
    url = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop();
    repo.cleanup();
  });

  it('answers purchase by named features with Kernel SHAP: per class, summing to the prediction', async () => {
    const res = await post(`${url}/v1/models/purchase:explain`, { instances: [PURCHASE_ROW, { ...PURCHASE_ROW, age: 70, income: 200 }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const predictions = res.body['predictions'] as Array<{ probabilities: Record<string, number> }>;
    const explanations = res.body['explanations'] as AttributionJson[][];
    assert.equal(explanations.length, 2);
    for (let r = 0; r < 2; r++) {
      assert.equal(explanations[r]!.length, 2, 'one explanation per class');
      for (const a of explanations[r]!) {
        assert.equal(a.method, 'kernel_shap');
        assert.deepEqual(a.feature_names, Object.keys(PURCHASE_ROW));
        assert.ok(Math.abs(a.base_value + sum(a.values) - a.prediction) < 1e-6, 'local accuracy on the explained output');
      }
      // The prediction the caller sees, and the explained output, agree (float32 through ONNX Runtime).
      assert.ok(Math.abs(explanations[r]![1]!.prediction - predictions[r]!.probabilities['yes']!) < 1e-3);
      assert.equal(explanations[r]![1]!.output, 'probabilities[yes]');
    }
  });

  it('answers purchase by OIP tensors, with the outputs as infer gives them', async () => {
    const row = Object.values(PURCHASE_ROW);
    const res = await post(`${url}/v2/models/purchase/explain`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: row }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const outputs = res.body['outputs'] as Array<{ name: string; data: number[] }>;
    const probabilities = outputs.find((o) => o.name === 'probabilities')!.data;
    const [explained] = res.body['explanations'] as AttributionJson[][];
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(explained![j]!.base_value + sum(explained![j]!.values) - probabilities[j]!) < 1e-3);
    assert.equal(res.body['model_version'], '1');
  });

  it('answers house with exact TreeSHAP, named features from its model.yaml', async () => {
    const res = await post(`${url}/v1/models/house:explain`, { instances: [HOUSE_ROW] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [[a]] = res.body['explanations'] as AttributionJson[][];
    assert.equal(a!.method, 'tree_shap');
    assert.deepEqual(a!.feature_names, Object.keys(HOUSE_ROW));
    const prediction = (res.body['predictions'] as Array<{ prediction: number }>)[0]!.prediction;
    assert.ok(Math.abs(a!.base_value + sum(a!.values) - prediction) < 1e-3 * Math.max(1, Math.abs(prediction)), `${a!.base_value} + Σ ≠ ${prediction}`);
    const oip = await post(`${url}/v2/models/house/explain`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 6], data: Object.values(HOUSE_ROW) }] });
    assert.equal(oip.status, 200);
    assert.deepEqual((oip.body['explanations'] as AttributionJson[][])[0]![0]!.values, a!.values);
  });

  it('turns an explanation over its budget into a job to poll (digits, 64 features, sampled Kernel SHAP)', async () => {
    const row = Array.from({ length: 64 }, (_, i) => (i * 7) % 17);
    const res = await post(`${url}/v2/models/digits/explain`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: row }], budget_ms: 0.001 });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const jobUrl = res.body['url'] as string;
    assert.equal(res.headers.get('location'), jobUrl);
    assert.match(jobUrl, /^\/v2\/models\/digits\/explain\/jobs\/[0-9a-f-]+$/);
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 600; i++) {
      const poll = await fetch(`${url}${jobUrl}`);
      assert.equal(poll.status, 200);
      body = (await poll.json()) as Record<string, unknown>;
      if (body['status'] !== 'pending') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body['status'], 'done', JSON.stringify(body));
    const explained = (body['explanations'] as AttributionJson[][])[0]!;
    assert.equal(explained.length, 10);
    const probabilities = (body['outputs'] as Array<{ name: string; data: number[] }>).find((o) => o.name === 'probabilities')!.data;
    for (let j = 0; j < 10; j++) {
      assert.equal(explained[j]!.method, 'kernel_shap');
      assert.ok(Math.abs(explained[j]!.base_value + sum(explained[j]!.values) - probabilities[j]!) < 1e-3);
    }
    const unknown = await fetch(`${url}/v2/models/digits/explain/jobs/nope`);
    assert.equal(unknown.status, 404);
    const otherModel = await fetch(`${url}${jobUrl.replace('/digits/', '/purchase/')}`);
    assert.equal(otherModel.status, 404, "a job is found only under its model's path");
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/v1/models/purchase:explain', '{not json', /body/],
      ['/v1/models/purchase:explain', { instances: [{ ...PURCHASE_ROW, age: 'old' }] }, /age/],
      ['/v1/models/purchase:explain', { instances: [PURCHASE_ROW], colour: 'red' }, /colour/],
      ['/v1/models/purchase:explain', { instances: [PURCHASE_ROW], budget_ms: -1 }, /budget_ms/],
      ['/v1/models/purchase:explain', { instances: [] }, /instances/],
      ['/v2/models/purchase/explain', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 7], data: [1, 2, 3, 4, 5, 6, 7] }] }, /shape/],
      ['/v2/models/purchase/explain', { inputs: [{ name: 'input', datatype: 'FP32', shape: [101, 8], data: new Array(808).fill(1) }] }, /at most 100 rows/],
      ['/v2/models/purchase/explain', { prediction_id: 42 }, /prediction_id/],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(`${url}${path}`, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body).slice(0, 80)} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(String(res.body['error']), field);
    }
    const missing = await post(`${url}/v1/models/nope:explain`, { instances: [PURCHASE_ROW] });
    assert.equal(missing.status, 404);
    // No prediction log configured: an id cannot be looked up.
    const noLog = await post(`${url}/v1/models/purchase:explain`, { prediction_id: 'abc' });
    assert.equal(noLog.status, 404);
    assert.match(String(noLog.body['error']), /prediction log/);
    // The server still predicts afterwards.
    const ok = await post(`${url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] });
    assert.equal(ok.status, 200);
  });
});
