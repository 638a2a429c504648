import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfile, evaluateWindow, WindowAccumulator, type NumericProfile, type ReferenceProfile, type WindowVerdict } from '../src/engine/index.js';
import { featuresOf, profileRows, readRows, type ModelName, type Row } from './engine-fixtures.js';

function verdict(model: ModelName, profile: ReferenceProfile, rows: readonly Row[], minRows?: number): WindowVerdict {
  const window = new WindowAccumulator(profile);
  for (const r of rows) window.add(featuresOf(model, r));
  return evaluateWindow(profile, window, minRows === undefined ? {} : { minRows });
}

describe('drift on the example models\' real data', () => {
  it('purchase: hold-out windows of 1,000 rows raise no drift; the drifted file flags age and income, not the untouched features', () => {
    const profile = buildProfile(profileRows('purchase', readRows('purchase', 'reference')));
    const holdout = readRows('purchase', 'holdout');
    for (const part of [holdout.slice(0, 1000), holdout.slice(1000)]) {
      const v = verdict('purchase', profile, part);
      assert.equal(v.status, 'ok');
      assert.equal(v.drifted, false);
      assert.deepEqual(v.drifted_features, []);
    }
    const drifted = verdict('purchase', profile, readRows('purchase', 'drifted'));
    assert.equal(drifted.status, 'drift');
    assert.ok(drifted.drifted_features.includes('age') && drifted.drifted_features.includes('income'), drifted.drifted_features.join());
    // The README's shifted features move most; the generator derives visits (+0.25σ in the file) from them, so it may
    // be flagged too. Features whose distribution did not move (mean change < 0.05σ) must not be.
    const byEffect = Object.entries(drifted.features).sort((a, b) => (b[1].drift.effect_size ?? 0) - (a[1].drift.effect_size ?? 0)).map(([n]) => n);
    assert.deepEqual(byEffect.slice(0, 2).sort(), ['age', 'income']);
    for (const untouched of ['avg_session_minutes', 'cart_items']) assert.equal(drifted.features[untouched]!.drift.drifted, false, untouched);
    const ageShift = drifted.features.age!.quality.mean! - (profile.features.age as NumericProfile).mean;
    assert.ok(Math.abs(ageShift - 9) < 1, `the window's mean age moved by ${ageShift} years`);
  });

  it('house: hold-out raises no drift; the drifted file flags living area and distance, and not the house age', () => {
    const profile = buildProfile(profileRows('house', readRows('house', 'reference')));
    for (const part of [readRows('house', 'holdout').slice(0, 1000), readRows('house', 'holdout').slice(1000)]) {
      const v = verdict('house', profile, part);
      assert.equal(v.drifted, false, v.drifted_features.join());
    }
    const drifted = verdict('house', profile, readRows('house', 'drifted'));
    assert.equal(drifted.drifted, true);
    for (const shifted of ['living_area_sqm', 'distance_to_center_km']) assert.equal(drifted.features[shifted]!.drift.drifted, true, shifted);
    // Bedrooms, bathrooms and lot size are generated from the living area (correlation 0.5–0.8), so they shift with it;
    // the house age is independent and must stay quiet.
    assert.equal(drifted.features.house_age_years!.drift.drifted, false);
    assert.ok(drifted.features.distance_to_center_km!.drift.effect_size! > drifted.features.bedrooms!.drift.effect_size!);
  });

  it('digits: 64 pixel features, many nearly constant, 1,257 reference rows: hold-out is quiet, the brightened images drift everywhere testable', () => {
    const profile = buildProfile(profileRows('digits', readRows('digits', 'reference')));
    const holdout = readRows('digits', 'holdout');
    // 540 rows with 64 features is below the default minimum: the window says so instead of "no drift".
    const small = verdict('digits', profile, holdout);
    assert.equal(small.status, 'insufficient_data');
    assert.equal(small.drifted, null);
    const v = verdict('digits', profile, holdout, 500);
    assert.equal(v.status, 'ok');
    assert.deepEqual(v.drifted_features, []);
    // Pixels that are always 0 in the reference are reported as constant, not tested and not alarmed on.
    assert.equal(v.features.pixel_0_0!.drift.method, 'constant');
    assert.equal(v.features.pixel_0_0!.drift.drifted, false);

    const drifted = verdict('digits', profile, readRows('digits', 'drifted'));
    assert.equal(drifted.status, 'drift');
    const tested = Object.entries(drifted.features).filter(([, f]) => f.drift.method === 'chi2_contingency');
    assert.ok(tested.length >= 50);
    for (const [name, f] of tested) assert.equal(f.drift.drifted, true, name);
    // The constant pixels cannot be tested, but the brightening shows up as out-of-range values.
    assert.equal(drifted.features.pixel_0_0!.drift.method, 'constant');
    assert.ok(drifted.features.pixel_0_0!.quality.issues.includes('out_of_range'));
  });
});
