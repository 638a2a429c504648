import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chooseMethod, kernelShap, marginsOf, readOnnxGraphFile, readTreeEnsemble, summariseBackground, treeShap, type Background, type BatchPredict, type TreeEnsemble } from '@ponte/explain';
import { modelFile, onnxPredict, readCsv, sum } from './fixtures.js';

describe('TreeSHAP on the house model (GradientBoostingRegressor, 200 trees, exported by skl2onnx)', () => {
  let ensemble: TreeEnsemble;
  let background: Background;
  let onnx: Awaited<ReturnType<typeof onnxPredict>>;
  const ref = readCsv('house', 'reference.csv', 6);
  const holdout = readCsv('house', 'holdout.csv', 6, 25);

  before(async () => {
    const reading = readTreeEnsemble(await readOnnxGraphFile(modelFile('house')));
    assert.ok(reading.ok, 'the graph is read as a tree ensemble');
    ensemble = reading.ensemble;
    background = summariseBackground(ref.rows, 6, { k: 20, seed: 1 });
    onnx = await onnxPredict('house', 'prediction');
  });
  after(() => onnx.close());

  it('reads the ensemble from the graph and computes what ONNX Runtime computes', async () => {
    assert.equal(ensemble.trees.length, 200);
    assert.equal(ensemble.postTransform, 'NONE');
    const runtime = await onnx.predict(Float32Array.from(holdout.rows), holdout.count);
    const mine = new Float64Array(1);
    for (let r = 0; r < holdout.count; r++) {
      marginsOf(ensemble, Float32Array.from(holdout.rows.slice(r * 6, r * 6 + 6)), 0, mine);
      // ONNX Runtime sums 200 leaves in float32: agreement to its precision.
      assert.ok(Math.abs(mine[0]! - runtime[r]!) <= 1e-6 * Math.abs(runtime[r]!) + 1e-4, `row ${r}: ${mine[0]} vs ${runtime[r]}`);
    }
  });

  it('is chosen for a tree ensemble with no explain settings at all: a model nobody configured', async () => {
    const choice = chooseMethod(await readOnnxGraphFile(modelFile('house')));
    assert.equal(choice.method, 'tree_shap');
    const other = chooseMethod(await readOnnxGraphFile(modelFile('purchase')));
    assert.equal(other.method, 'kernel_shap');
    assert.match(other.reason ?? '', /no TreeEnsemble/);
  });

  it('is locally accurate: base value + Σ attributions = f(x), base value = E_bg[f], against the runtime', async () => {
    const explained = treeShap(ensemble, holdout.rows, background, { featureNames: ref.names });
    const bgRuntime = await onnx.predict(Float32Array.from(background.rows), background.size);
    const expectedBase = sum(Array.from(bgRuntime, (v, b) => v * background.weights[b]!));
    const runtime = await onnx.predict(Float32Array.from(holdout.rows), holdout.count);
    for (let r = 0; r < holdout.count; r++) {
      const a = explained[r]![0]!;
      assert.equal(a.method, 'tree_shap');
      assert.equal(a.output, 'prediction');
      assert.deepEqual(a.featureNames, ref.names);
      // Exact in float64 against the ensemble read from the graph…
      assert.ok(Math.abs(a.baseValue + sum(a.values) - a.prediction) < 1e-9);
      // …and against ONNX Runtime's float32 output (prices ~240: a float32 ulp is 1.5e-5).
      assert.ok(Math.abs(sum(a.values) - (runtime[r]! - expectedBase)) < 1e-4 * Math.max(1, Math.abs(runtime[r]!) / 100), `row ${r}`);
    }
  });

  it('agrees with exhaustive Kernel SHAP (interventional, same background) within 1e-6', async () => {
    // The ensemble evaluated in float64 from the graph: both methods see the same function exactly.
    const exactModel: BatchPredict = async (rows, n) => {
      const out = new Float64Array(n);
      const m = new Float64Array(1);
      for (let r = 0; r < n; r++) { marginsOf(ensemble, rows, r * 6, m); out[r] = m[0]!; }
      return out;
    };
    const rows = holdout.rows.slice(0, 5 * 6);
    const tree = treeShap(ensemble, rows, background, { featureNames: ref.names });
    const kernel = await kernelShap(exactModel, rows, background, { featureNames: ref.names });
    for (let r = 0; r < 5; r++) {
      assert.equal(kernel[r]![0]!.parameters.exact, true);
      tree[r]![0]!.values.forEach((v, i) => assert.ok(Math.abs(v - kernel[r]![0]!.values[i]!) < 1e-6, `row ${r} feature ${i}: ${v} vs ${kernel[r]![0]!.values[i]}`));
      assert.ok(Math.abs(tree[r]![0]!.baseValue - kernel[r]![0]!.baseValue) < 1e-6);
    }
    // Through ONNX Runtime itself the two agree to the runtime's float32 precision.
    const viaRuntime = await kernelShap(onnx.predict, rows, background, { featureNames: ref.names });
    for (let r = 0; r < 5; r++) {
      tree[r]![0]!.values.forEach((v, i) => assert.ok(Math.abs(v - viaRuntime[r]![0]!.values[i]!) < 2e-3, `runtime row ${r} feature ${i}`));
    }
  });

  it('explains a row in a few milliseconds without running the model', () => {
    const row = holdout.rows.slice(0, 6);
    treeShap(ensemble, row, background, { featureNames: ref.names });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) treeShap(ensemble, row, background, { featureNames: ref.names });
    const ms = (performance.now() - t0) / 20;
    assert.ok(ms < 250, `${ms} ms per row`); // generous: the figure for docs comes from the benchmark
  });
});
