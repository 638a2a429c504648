import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfile, evaluateWindow, normal, seededRandom, WindowAccumulator } from '../src/engine/index.js';
import { featuresOf, profileRows, readRows } from './engine-fixtures.js';

describe('window accumulator', () => {
  const profile = buildProfile(profileRows('purchase', readRows('purchase', 'reference')));
  const holdout = readRows('purchase', 'holdout').map((r) => featuresOf('purchase', r));

  it('saved and restored mid-window, it neither loses nor double-counts rows', () => {
    const whole = new WindowAccumulator(profile);
    for (const r of holdout) whole.add(r);
    const first = new WindowAccumulator(profile);
    for (const r of holdout.slice(0, 700)) first.add(r);
    const restored = WindowAccumulator.fromJSON(profile, JSON.parse(JSON.stringify(first)));
    for (const r of holdout.slice(700)) restored.add(r);
    assert.equal(restored.rows, 2000);
    assert.deepEqual(restored.toJSON().features.income!.counts, whole.toJSON().features.income!.counts);
    assert.deepEqual(evaluateWindow(profile, restored), evaluateWindow(profile, whole));
  });

  it('two windows merge into the window of all their rows', () => {
    const a = new WindowAccumulator(profile);
    const b = new WindowAccumulator(profile);
    holdout.forEach((r, i) => (i % 3 === 0 ? a : b).add(r));
    const whole = new WindowAccumulator(profile);
    for (const r of holdout) whole.add(r);
    a.merge(b);
    assert.equal(a.rows, 2000);
    const x = a.toJSON().features.age!;
    const y = whole.toJSON().features.age!;
    assert.deepEqual(x.counts, y.counts);
    assert.ok(x.type === 'numeric' && y.type === 'numeric' && Math.abs(x.mean - y.mean) < 1e-9);
    // Rows counted after the merge land in the merged window, by name and in feature order alike.
    const more = holdout.slice(0, 10);
    for (const r of more.slice(0, 5)) { a.add(r); whole.add(r); }
    for (const r of more.slice(5)) { a.addOrdered(profile.feature_order.map((f) => r[f])); whole.add(r); }
    assert.equal(a.rows, 2010);
    for (const f of profile.feature_order) assert.deepEqual(a.toJSON().features[f]!.counts, whole.toJSON().features[f]!.counts, f);
  });

  it('uses the same memory per feature for 1,000 and 100,000 rows', () => {
    const random = seededRandom(5);
    const small = new WindowAccumulator(profile);
    const large = new WindowAccumulator(profile);
    const row = (): Record<string, number> => Object.fromEntries(profile.feature_order.map((f) => [f, Math.round(40 + 10 * normal(random))]));
    for (let i = 0; i < 1000; i++) small.add(row());
    for (let i = 0; i < 100_000; i++) large.add(row());
    for (const name of profile.feature_order) {
      const s = JSON.stringify(small.toJSON().features[name]).replace(/[\d.e+-]+/g, '0');
      const l = JSON.stringify(large.toJSON().features[name]).replace(/[\d.e+-]+/g, '0');
      assert.equal(l.length, s.length, name); // same structure: only the numbers differ
      assert.ok(JSON.stringify(large.toJSON().features[name]).length < 1000, name);
    }
  });

  it('refuses a saved window that does not fit the profile', () => {
    const other = buildProfile(profileRows('house', readRows('house', 'reference')));
    const saved = JSON.parse(JSON.stringify(new WindowAccumulator(profile))) as unknown;
    assert.throws(() => WindowAccumulator.fromJSON(other, saved), { name: 'PonteError', code: 'PONTE_VALIDATION_FAILED' });
    assert.throws(() => WindowAccumulator.fromJSON(profile, { hello: 1 }), /not a saved window/);
  });
});
