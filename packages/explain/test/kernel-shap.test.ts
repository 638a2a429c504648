import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backgroundOf, kernelShap, meanOf, readLinearScore, readOnnxGraphFile, summariseBackground, type Background, type BatchPredict, type LinearScore } from '@ponte/explain';
import { goldenInputs, modelFile, onnxPredict, readCsv, sum } from './fixtures.js';

const logit = (p: number): number => Math.log(p / (1 - p));

describe('Kernel SHAP on the purchase model (LogisticRegression: LinearClassifier + Normalizer)', () => {
  let onnx: Awaited<ReturnType<typeof onnxPredict>>;
  let score: LinearScore;
  const ref = readCsv('purchase', 'reference.csv', 8);
  const holdout = readCsv('purchase', 'holdout.csv', 8, 10);
  let background: Background;

  before(async () => {
    onnx = await onnxPredict('purchase', 'probabilities');
    score = readLinearScore(await readOnnxGraphFile(modelFile('purchase')))!;
    background = summariseBackground(ref.rows, 8, { k: 20 });
  });
  after(() => onnx.close());

  it('enumerates all 254 coalitions in one batched call per row and is locally accurate on the probabilities', async () => {
    const before = onnx.calls();
    const explained = await kernelShap(onnx.predict, holdout.rows, background, { featureNames: ref.names, outputNames: ['no', 'yes'] });
    assert.equal(onnx.calls() - before, 1 + holdout.count, 'one call for background + rows, one per explained row');
    const fx = await onnx.predict(Float32Array.from(holdout.rows), holdout.count);
    const fbg = await onnx.predict(Float32Array.from(background.rows), background.size);
    for (let r = 0; r < holdout.count; r++) {
      for (const a of explained[r]!) {
        assert.equal(a.parameters.exact, true);
        assert.equal(a.parameters.coalitions, 254);
        const expectedBase = sum(Array.from({ length: background.size }, (_, b) => background.weights[b]! * fbg[b * 2 + a.outputIndex]!));
        assert.ok(Math.abs(sum(a.values) - (fx[r * 2 + a.outputIndex]! - expectedBase)) < 1e-4, `row ${r} ${a.output}`);
      }
      // The two classes' attributions mirror each other.
      explained[r]![0]!.values.forEach((v, i) => assert.ok(Math.abs(v + explained[r]![1]!.values[i]!) < 1e-5));
    }
  });

  it('reads the weights from the graph: no scaler precedes the LinearClassifier, the logit is w·x + b', async () => {
    assert.equal(score.features, 8);
    assert.equal(score.postTransform, 'LOGISTIC');
    const p = await onnx.predict(Float32Array.from(holdout.rows), holdout.count);
    for (let r = 0; r < holdout.count; r++) {
      const margin = score.intercepts[1]! + sum(Array.from({ length: 8 }, (_, i) => score.coefficients[8 + i]! * Math.fround(holdout.rows[r * 8 + i]!)));
      assert.ok(Math.abs(logit(p[r * 2 + 1]!) - margin) < 1e-4);
    }
  });

  it('with link: logit, equals the closed form w_i·(x_i − E_bg[x_i]) on the raw score within 1e-6', async () => {
    const w = score.coefficients.subarray(8, 16);
    // The raw score in float64 from the graph's weights, through a logistic: the model with its float32 round-off removed.
    const exactModel: BatchPredict = async (rows, n) => {
      const out = new Float64Array(n * 2);
      for (let r = 0; r < n; r++) {
        let m = score.intercepts[1]!;
        for (let i = 0; i < 8; i++) m += w[i]! * rows[r * 8 + i]!;
        out[r * 2 + 1] = 1 / (1 + Math.exp(-m));
        out[r * 2] = 1 - out[r * 2 + 1]!;
      }
      return out;
    };
    // shap's logit link takes the logit of the background-averaged probability, which is linear in
    // x only for a one-row background: the mean row (k-means with k = 1 is the mean).
    const mean = summariseBackground(ref.rows, 8, { k: 1, roundValues: false });
    const mu = Array.from(meanOf(mean), (v) => Math.fround(v));
    for (const predict of [exactModel, onnx.predict]) {
      const explained = await kernelShap(predict, holdout.rows, mean, { featureNames: ref.names, link: 'logit' });
      const tolerance = predict === exactModel ? 1e-6 : 1e-3; // ONNX Runtime's float32 probabilities bound the second
      for (let r = 0; r < holdout.count; r++) {
        const a = explained[r]![1]!;
        a.values.forEach((v, i) => {
          const closed = w[i]! * (Math.fround(holdout.rows[r * 8 + i]!) - mu[i]!);
          assert.ok(Math.abs(v - closed) < tolerance, `row ${r} feature ${ref.names[i]}: ${v} vs ${closed}`);
        });
      }
    }
  });

  it('on the raw score against the whole 20-row background: w_i·(x_i − E_bg[x_i]) within 1e-6', async () => {
    const w = score.coefficients.subarray(8, 16);
    const rawScore: BatchPredict = async (rows, n) => Float64Array.from({ length: n }, (_, r) => score.intercepts[1]! + sum(Array.from(w, (wi, i) => wi * rows[r * 8 + i]!)));
    const explained = await kernelShap(rawScore, holdout.rows, background, { featureNames: ref.names });
    for (let r = 0; r < holdout.count; r++) {
      explained[r]![0]!.values.forEach((v, i) => {
        // E_bg over the background as the model sees it (float32 values).
        const bgMean = sum(Array.from({ length: background.size }, (_, b) => background.weights[b]! * Math.fround(background.rows[b * 8 + i]!)));
        assert.ok(Math.abs(v - w[i]! * (Math.fround(holdout.rows[r * 8 + i]!) - bgMean)) < 1e-6, `row ${r} feature ${i}`);
      });
    }
  });
});

describe('Kernel SHAP with sampled coalitions (digits: 64 features; wide_mlp: 256)', () => {
  it('digits: the efficiency constraint keeps local accuracy exact; the same seed gives the same answer', async () => {
    const onnx = await onnxPredict('digits', 'probabilities');
    try {
      const ref = readCsv('digits', 'reference.csv', 64);
      const rows = readCsv('digits', 'holdout.csv', 64, 2);
      const background = summariseBackground(ref.rows, 64, { k: 20 });
      const explained = await kernelShap(onnx.predict, rows.rows, background, { featureNames: ref.names, seed: 7 });
      const fx = await onnx.predict(Float32Array.from(rows.rows), 2);
      const fbg = await onnx.predict(Float32Array.from(background.rows), background.size);
      for (let r = 0; r < 2; r++) {
        assert.equal(explained[r]!.length, 10);
        for (const a of explained[r]!) {
          assert.equal(a.parameters.exact, false);
          assert.ok((a.parameters.coalitions as number) <= 2 * 64 + 2048);
          const base = sum(Array.from({ length: background.size }, (_, b) => background.weights[b]! * fbg[b * 10 + a.outputIndex]!));
          assert.ok(Math.abs(sum(a.values) - (fx[r * 10 + a.outputIndex]! - base)) < 1e-4);
        }
      }
      const again = await kernelShap(onnx.predict, rows.rows.slice(0, 64), background, { featureNames: ref.names, seed: 7 });
      assert.deepEqual(again[0]![3]!.values, explained[0]![3]!.values);
      const otherSeed = await kernelShap(onnx.predict, rows.rows.slice(0, 64), background, { featureNames: ref.names, seed: 8 });
      assert.notDeepEqual(otherSeed[0]![3]!.values, explained[0]![3]!.values);
    } finally {
      await onnx.close();
    }
  });

  it('wide_mlp: local accuracy within 1e-4 with a small budget', async () => {
    const onnx = await onnxPredict('wide_mlp', 'probabilities');
    try {
      const golden = goldenInputs('wide_mlp');
      const names = Array.from({ length: 256 }, (_, i) => `f${String(i).padStart(3, '0')}`);
      const background = backgroundOf(golden.slice(1, 3).flat(), 256);
      const explained = await kernelShap(onnx.predict, golden[0]!, background, { featureNames: names, samples: 600 });
      const fx = await onnx.predict(Float32Array.from(golden[0]!), 1);
      const fbg = await onnx.predict(Float32Array.from(background.rows), 2);
      for (const a of explained[0]!) {
        assert.equal(a.parameters.coalitions, 600);
        const base = (fbg[a.outputIndex]! + fbg[10 + a.outputIndex]!) / 2;
        assert.ok(Math.abs(sum(a.values) - (fx[a.outputIndex]! - base)) < 1e-4);
      }
    } finally {
      await onnx.close();
    }
  });
});
