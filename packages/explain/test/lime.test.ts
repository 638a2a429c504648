import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backgroundOf, lime, readLinearScore, readOnnxGraphFile, type BatchPredict } from '@ponte/explain';
import { modelFile, onnxPredict, readCsv, sum } from './fixtures.js';

describe('LIME on the purchase model', () => {
  let onnx: Awaited<ReturnType<typeof onnxPredict>>;
  const ref = readCsv('purchase', 'reference.csv', 8, 2000);
  const rows = readCsv('purchase', 'holdout.csv', 8, 3);
  const reference = backgroundOf(ref.rows, 8);

  before(async () => { onnx = await onnxPredict('purchase', 'probabilities'); });
  after(() => onnx.close());

  it('keeps the output contract: base value + Σ values = f(x), with the surrogate fit reported', async () => {
    const explained = await lime(onnx.predict, rows.rows, reference, { featureNames: ref.names, seed: 3 });
    const fx = await onnx.predict(Float32Array.from(rows.rows), 3);
    for (let r = 0; r < 3; r++) {
      const a = explained[r]![1]!;
      assert.equal(a.method, 'lime');
      assert.ok(Math.abs(a.baseValue + sum(a.values) - fx[r * 2 + 1]!) < 1e-6);
      assert.equal(typeof a.parameters.score, 'number');
    }
    const again = await lime(onnx.predict, rows.rows, reference, { featureNames: ref.names, seed: 3 });
    assert.deepEqual(again[0]![1]!.values, explained[0]![1]!.values);
  });

  it('recovers a linear model: on the raw score the surrogate slopes are the graph weights', async () => {
    const score = readLinearScore(await readOnnxGraphFile(modelFile('purchase')))!;
    const w = score.coefficients.subarray(8, 16);
    const raw: BatchPredict = async (batch, n) => Float64Array.from({ length: n }, (_, r) => score.intercepts[1]! + sum(Array.from(w, (wi, i) => wi * batch[r * 8 + i]!)));
    const explained = await lime(raw, rows.rows, reference, { featureNames: ref.names, seed: 1, ridge: 0 });
    const a = explained[0]![0]!;
    assert.ok(a.parameters.score as number > 0.999999);
    const mean = ref.names.map((_, i) => sum(Array.from({ length: ref.count }, (_, r) => ref.rows[r * 8 + i]!)) / ref.count);
    a.values.forEach((v, i) => {
      const expected = w[i]! * (Math.fround(rows.rows[i]!) - mean[i]!);
      assert.ok(Math.abs(v - expected) < 1e-6 * Math.max(1, Math.abs(expected)), `${ref.names[i]}: ${v} vs ${expected}`);
    });
  });
});
