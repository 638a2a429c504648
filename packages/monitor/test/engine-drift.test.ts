import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProfile, evaluateWindow, holmAdjust, normal, seededRandom, WindowAccumulator, type ProfileRow, type Random } from '../src/engine/index.js';
import { featuresOf, profileRows, readRows } from './engine-fixtures.js';

const FEATURES = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];

function normalRows(n: number, random: Random, shift: Record<string, number> = {}): Array<Record<string, number>> {
  return Array.from({ length: n }, () => Object.fromEntries(FEATURES.map((f) => [f, normal(random) + (shift[f] ?? 0)])));
}

function windowOf(profile: ReturnType<typeof buildProfile>, rows: ReadonlyArray<Record<string, unknown>>): WindowAccumulator {
  const w = new WindowAccumulator(profile);
  for (const r of rows) w.add(r);
  return w;
}

describe('the drift test is calibrated and has power', () => {
  const random = seededRandom(20240501);
  const profile = buildProfile(normalRows(5000, random).map((features) => ({ features })));

  it('200 windows of 1,000 rows resampled from the purchase reference raise at most 2 dataset-level alarms', () => {
    const reference = readRows('purchase', 'reference');
    const purchase = buildProfile(profileRows('purchase', reference));
    const rng = seededRandom(7);
    let alarms = 0;
    for (let i = 0; i < 200; i++) {
      const rows = Array.from({ length: 1000 }, () => featuresOf('purchase', reference[Math.floor(rng() * reference.length)]!));
      if (evaluateWindow(purchase, windowOf(purchase, rows)).drifted) alarms++;
    }
    assert.ok(alarms <= 2, `${alarms} false alarms`);
  });

  it('200 independent windows from the same normal distribution raise at most 2 alarms', () => {
    let alarms = 0;
    for (let i = 0; i < 200; i++) if (evaluateWindow(profile, windowOf(profile, normalRows(1000, random))).drifted) alarms++;
    assert.ok(alarms <= 2, `${alarms} false alarms`);
  });

  it('a 0.5σ shift of one feature is flagged in ≥ 95 % and a 0.3σ shift in ≥ 80 % of 1,000-row windows', () => {
    for (const [shift, needed] of [[0.5, 0.95], [0.3, 0.8]] as const) {
      let flagged = 0;
      let wrong = 0;
      for (let i = 0; i < 100; i++) {
        const v = evaluateWindow(profile, windowOf(profile, normalRows(1000, random, { f3: shift })));
        if (v.drifted && v.drifted_features.includes('f3')) flagged++;
        wrong += v.drifted_features.filter((f) => f !== 'f3').length;
      }
      assert.ok(flagged / 100 >= needed, `${shift}σ: flagged in ${flagged}/100 windows`);
      // Each window is a family of 8 tests at α = 0.01 (Holm): about 1 false feature flag in 100 windows is expected.
      assert.ok(wrong <= 5, `${wrong} unshifted features flagged in 100 windows`);
    }
  });

  it('a huge window does not alarm on a trivial shift (effect-size floor), though the test is significant', () => {
    const v = evaluateWindow(profile, windowOf(profile, normalRows(50_000, random, { f0: 0.08 })));
    const f0 = v.features.f0!.drift;
    assert.ok(f0.p_adjusted! < 0.01, `p ${f0.p_adjusted}`);
    assert.ok(f0.effect_size! < f0.effect_size_floor);
    assert.equal(f0.drifted, false);
    assert.equal(v.drifted, false);
  });

  it('stays calibrated when the window is much larger than the reference (both are samples)', () => {
    const small = buildProfile(normalRows(1000, random).map((features) => ({ features })));
    let alarms = 0;
    for (let i = 0; i < 20; i++) if (evaluateWindow(small, windowOf(small, normalRows(10_000, random)), { psiFloor: 0 }).drifted) alarms++;
    assert.ok(alarms <= 1, `${alarms} of 20`);
  });

  it('a window below the minimum size is insufficient_data, never "no drift"', () => {
    const v = evaluateWindow(profile, windowOf(profile, normalRows(499, random, { f0: 3 })));
    assert.equal(v.status, 'insufficient_data');
    assert.equal(v.drifted, null);
    assert.equal(v.features.f0!.drift.drifted, null);
    assert.ok(v.features.f0!.drift.p_value! < 1e-6, 'statistics are still reported');
    assert.equal(v.min_rows, 500);
    assert.equal(evaluateWindow(profile, windowOf(profile, normalRows(300, random, { f0: 3 })), { minRows: 200 }).drifted, true);
  });

  it('a feature constant in the reference is reported as constant and never alarms; its new values show as out of range', () => {
    const rows: ProfileRow[] = normalRows(2000, random).map((r) => ({ features: { ...r, version: 3 } }));
    const p = buildProfile(rows);
    const v = evaluateWindow(p, windowOf(p, normalRows(1000, random).map((r, i) => ({ ...r, version: i % 2 === 0 ? 3 : 4 }))));
    assert.equal(v.features.version!.drift.method, 'constant');
    assert.equal(v.features.version!.drift.drifted, false);
    assert.equal(v.m, 8);
    assert.ok(v.features.version!.quality.issues.includes('out_of_range'));
  });

  it('Holm adjustment is monotone and matches the step-down formula', () => {
    assert.deepEqual(holmAdjust([0.01, 0.04, 0.03, 0.5]).map((p) => Number(p.toFixed(6))), [0.04, 0.09, 0.09, 0.5]);
  });

  it('the dataset-level rule needs k of m features: 1 of 8 by default, configurable', () => {
    const v = evaluateWindow(profile, windowOf(profile, normalRows(1000, random, { f1: 1 })));
    assert.equal(v.k, 1);
    assert.equal(v.drifted, true);
    assert.equal(evaluateWindow(profile, windowOf(profile, normalRows(1000, random, { f1: 1 })), { k: 2 }).drifted, false);
  });
});

describe('categorical features', () => {
  const random = seededRandom(99);
  const colours = ['red', 'green', 'blue', 'black', 'white'];
  const weights = [0.4, 0.25, 0.2, 0.1, 0.05];
  const draw = (w: readonly number[]): string => {
    let u = random();
    for (let i = 0; i < w.length; i++) if ((u -= w[i]!) < 0) return colours[i]!;
    return colours[colours.length - 1]!;
  };
  const profile = buildProfile(Array.from({ length: 5000 }, () => ({ features: { colour: draw(weights), x: normal(random) } })), { features: [{ name: 'colour', type: 'categorical' }, { name: 'x', type: 'numeric' }] });

  it('a shift of category shares is flagged with L∞ as effect size; same shares are not', () => {
    const same = windowOf(profile, Array.from({ length: 1000 }, () => ({ colour: draw(weights), x: normal(random) })));
    assert.equal(evaluateWindow(profile, same).drifted, false);
    const shifted = windowOf(profile, Array.from({ length: 1000 }, () => ({ colour: draw([0.3, 0.25, 0.2, 0.2, 0.05]), x: normal(random) })));
    const v = evaluateWindow(profile, shifted);
    assert.equal(v.features.colour!.drift.effect_size_method, 'l_infinity');
    assert.ok(Math.abs(v.features.colour!.drift.effect_size! - 0.1) < 0.04);
    assert.deepEqual(v.drifted_features, ['colour']);
  });

  it('unseen categories, missing values and type violations are counted as quality issues', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ colour: i < 30 ? 'purple' : i < 130 ? null : i < 132 ? { bad: true } : draw(weights), x: i < 5 ? Number.NaN : i < 7 ? 'seven' : normal(random) }));
    const v = evaluateWindow(profile, windowOf(profile, rows));
    const q = v.features.colour!.quality;
    assert.equal(q.unseen_categories, 30);
    assert.deepEqual(q.unseen_examples, { purple: 30 });
    assert.equal(q.missing, 100);
    assert.equal(q.type_violations, 2);
    assert.ok(q.issues.includes('unseen_categories') && q.issues.includes('missing_rate_increase') && q.issues.includes('type_violations'));
    const x = v.features.x!.quality;
    assert.equal(x.nan, 5);
    assert.equal(x.type_violations, 2);
    assert.ok(v.quality_issues.includes('x: nan'));
  });
});
