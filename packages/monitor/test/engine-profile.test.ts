import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfile, evaluateWindow, mergeProfiles, normal, seededRandom, WindowAccumulator, type NumericProfile } from '../src/engine/index.js';
import { featuresOf, profileRows, readRows } from './engine-fixtures.js';

describe('reference profiles', () => {
  const reference = readRows('purchase', 'reference');
  const profile = buildProfile(profileRows('purchase', reference));

  it('numeric features get 20 equal-frequency bins, moments, range quantiles, and survive JSON', () => {
    const income = profile.features.income as NumericProfile;
    assert.equal(income.counts.length, 20);
    assert.equal(income.n, 5000);
    for (const c of income.counts) assert.ok(Math.abs(c - 250) <= 25, `bin count ${c}`);
    assert.ok(Math.abs(income.mean - 58.435) < 0.01);
    assert.ok(income.p001! <= income.p999! && income.min! <= income.p001! && income.p999! <= income.max!);
    assert.deepEqual(JSON.parse(JSON.stringify(profile)), profile);
  });

  it('discrete features get one bin per distinct value; repeated quantiles collapse', () => {
    const cart = profile.features.cart_items as NumericProfile;
    assert.equal(cart.discrete, true);
    assert.equal(cart.counts.length, new Set(reference.map((r) => r.cart_items)).size);
    const returning = profile.features.is_returning as NumericProfile;
    assert.deepEqual(returning.edges, [0]);
    assert.equal(returning.counts[1], reference.filter((r) => r.is_returning === 1).length);
    const days = profile.features.days_since_last_purchase as NumericProfile;
    assert.ok(days.counts.length < 20, 'the 365-day cap holds many quantiles');
    assert.ok(days.edges.every((e, i) => i === 0 || e > days.edges[i - 1]!));
    assert.equal(days.counts.reduce((s, c) => s + c, 0), 5000);
  });

  it('counts missing, NaN, ±inf and type violations separately', () => {
    const p = buildProfile([{ features: { x: 1 } }, { features: { x: null } }, { features: {} }, { features: { x: Number.NaN } }, { features: { x: -Infinity } }, { features: { x: '2' } }], { features: [{ name: 'x', type: 'numeric' }] });
    const x = p.features.x as NumericProfile;
    assert.deepEqual([x.rows, x.n, x.missing, x.nan, x.inf, x.type_violations], [6, 1, 2, 1, 1, 1]);
    assert.doesNotThrow(() => JSON.stringify(p));
  });

  it('categorical features keep the top K categories and pool the rest as "other"', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ features: { city: i < 50 ? 'Rome' : i < 80 ? 'Oslo' : `town${i}` } }));
    const p = buildProfile(rows, { topK: 3 });
    const city = p.features.city!;
    assert.equal(city.type, 'categorical');
    if (city.type !== 'categorical') return;
    assert.deepEqual(city.categories.slice(0, 2), ['Rome', 'Oslo']);
    assert.equal(city.other, 19);
    assert.equal(city.complete, false);
  });

  it('with scores and labels it records the output distribution, calibration and reference performance', () => {
    const random = seededRandom(3);
    const rows = Array.from({ length: 3000 }, () => {
      const p = random();
      return { features: { x: normal(random) }, output: p, label: random() < p ? 1 : 0 };
    });
    const p = buildProfile(rows, { task: 'binary' });
    assert.equal(p.output!.distribution.type, 'numeric');
    assert.ok(p.output!.calibration!.ece < 0.05, `ece ${p.output!.calibration!.ece}`);
    assert.ok(Math.abs(p.output!.performance!.accuracy!.value - 0.75) < 0.03);
    assert.ok(p.output!.performance!.roc_auc!.value > 0.8);
  });

  it('merging a profile built on the same bins (binsFrom) is exact; different bins are re-binned approximately', () => {
    const a = buildProfile(profileRows('purchase', reference.slice(0, 2500)));
    const bExact = buildProfile(profileRows('purchase', reference.slice(2500)), { binsFrom: a });
    const whole = buildProfile(profileRows('purchase', reference), { binsFrom: a });
    const merged = mergeProfiles(a, bExact);
    for (const name of merged.feature_order) {
      const m = merged.features[name] as NumericProfile;
      const w = whole.features[name] as NumericProfile;
      assert.deepEqual(m.counts, w.counts, name);
      assert.equal(m.approximate, false);
      assert.ok(Math.abs(m.mean - w.mean) < 1e-9 && Math.abs(m.m2 - w.m2) / w.m2 < 1e-9, name);
      assert.equal(m.min, w.min);
      assert.equal(m.max, w.max);
    }
    const bOwn = buildProfile(profileRows('purchase', reference.slice(2500)));
    const approx = mergeProfiles(a, bOwn);
    const income = approx.features.income as NumericProfile;
    assert.equal(income.approximate, true);
    assert.equal(income.counts.reduce((s, c) => s + c, 0), 5000);
    (whole.features.income as NumericProfile).counts.forEach((c, i) => assert.ok(Math.abs(income.counts[i]! - c) <= 40, `bin ${i}: ${income.counts[i]} vs ${c}`));
    // Discrete bins merge exactly even from different builds.
    assert.deepEqual((approx.features.cart_items as NumericProfile).counts, (whole.features.cart_items as NumericProfile).counts);
    // The merged profile works as a reference.
    const w = new WindowAccumulator(approx);
    for (const r of readRows('purchase', 'holdout').slice(0, 1000)) w.add(featuresOf('purchase', r));
    assert.equal(evaluateWindow(approx, w).drifted, false);
  });
});
