import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfile } from '@ponte/monitor';
import { backgroundFromProfile, meanOf, readOnnxGraph, summariseBackground } from '@ponte/explain';
import { readCsv } from './fixtures.js';

describe('the background a SHAP explanation averages over', () => {
  const ref = readCsv('purchase', 'reference.csv', 8);

  it('summarises reference rows into 20 weighted k-means centroids of observed values, reproducibly', () => {
    const bg = summariseBackground(ref.rows, 8, { k: 20, seed: 4 });
    assert.equal(bg.size, 20);
    assert.ok(Math.abs(Array.from(bg.weights).reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const observed = Array.from({ length: 8 }, (_, i) => new Set(Array.from({ length: ref.count }, (_, r) => ref.rows[r * 8 + i])));
    for (let c = 0; c < bg.size; c++) for (let i = 0; i < 8; i++) assert.ok(observed[i]!.has(bg.rows[c * 8 + i]!), 'centroid values are values the feature takes');
    assert.deepEqual(summariseBackground(ref.rows, 8, { k: 20, seed: 4 }), bg);
    // Without rounding, k-means keeps the data's mean exactly (weighted centroids).
    const unrounded = summariseBackground(ref.rows, 8, { k: 20, seed: 4, roundValues: false });
    const mean = meanOf(unrounded);
    for (let i = 0; i < 8; i++) {
      const dataMean = Array.from({ length: ref.count }, (_, r) => ref.rows[r * 8 + i]!).reduce((a, b) => a + b, 0) / ref.count;
      assert.ok(Math.abs(mean[i]! - dataMean) < 1e-9 * Math.max(1, Math.abs(dataMean)));
    }
  });

  it('can come from a monitoring reference profile when no rows are kept (per-feature marginals)', () => {
    const profileRows = Array.from({ length: ref.count }, (_, r) => ({ features: Object.fromEntries(ref.names.map((n, i) => [n, ref.rows[r * 8 + i]!])) }));
    const profile = buildProfile(profileRows, { features: ref.names.map((name) => ({ name, type: 'numeric' as const })) });
    const one = backgroundFromProfile(profile.features, ref.names, { k: 1 });
    assert.equal(one.size, 1);
    ref.names.forEach((n, i) => assert.ok(Math.abs(one.rows[i]! - (profile.features[n] as { mean: number }).mean) < 1e-9));
    const many = backgroundFromProfile(profile.features, ref.names, { k: 20, seed: 2 });
    assert.equal(many.size, 20);
    const isReturning = Array.from({ length: 20 }, (_, b) => many.rows[b * 8 + 7]!);
    assert.ok(isReturning.every((v) => v === 0 || v === 1), 'a binary feature keeps binary values');
  });

  it('rejects a file that is not an ONNX model with a clear error', () => {
    assert.throws(() => readOnnxGraph(new Uint8Array([0x08, 0x07])), /no graph/);
  });
});
