import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildProfile, estimatePerformance, evaluateWindow, WindowAccumulator, type ReferenceProfile } from '../src/engine/index.js';
import { featuresOf, predict, profileRows, readRows } from './engine-fixtures.js';

describe('estimated performance before labels (CBPE)', () => {
  const reference = readRows('purchase', 'reference');
  const holdout = readRows('purchase', 'holdout');
  let profile: ReferenceProfile;
  let referenceProbs: number[][];
  let holdoutProbs: number[][];
  before(async () => {
    referenceProbs = await predict('purchase', reference);
    holdoutProbs = await predict('purchase', holdout);
    profile = buildProfile(profileRows('purchase', reference, referenceProbs), { task: 'binary' });
  });

  it('the logistic model is calibrated on its reference data', () => {
    assert.ok(profile.output!.calibration!.ece < 0.05, `ece ${profile.output!.calibration!.ece}`);
  });

  it('on 10 hold-out windows of 200 rows the true accuracy lies in the estimate\'s interval in ≥ 90 % of windows', () => {
    let covered = 0;
    for (let w = 0; w < 10; w++) {
      const window = new WindowAccumulator(profile);
      let correct = 0;
      for (let i = w * 200; i < (w + 1) * 200; i++) {
        const row = holdout[i]!;
        window.add(featuresOf('purchase', row), holdoutProbs[i]!);
        if ((holdoutProbs[i]![1]! >= 0.5 ? 1 : 0) === row.purchased) correct++;
      }
      const est = estimatePerformance(profile, window);
      assert.ok(est.available);
      if (!est.available) return;
      const truth = correct / 200;
      if (est.accuracy.ci_low! <= truth && truth <= est.accuracy.ci_high!) covered++;
      assert.ok(est.roc_auc !== null && est.f1 !== null && est.precision !== null && est.recall !== null);
    }
    assert.ok(covered >= 9, `covered in ${covered}/10 windows`);
  });

  it('on the whole hold-out the estimates are close to the measured values', () => {
    const window = new WindowAccumulator(profile);
    holdout.forEach((r, i) => window.add(featuresOf('purchase', r), holdoutProbs[i]!));
    const est = estimatePerformance(profile, window);
    assert.ok(est.available);
    if (!est.available) return;
    assert.ok(Math.abs(est.accuracy.value - 0.8275) < 0.02, `accuracy ${est.accuracy.value}`);
    assert.ok(Math.abs(est.roc_auc!.value - 0.8553) < 0.03, `auc ${est.roc_auc!.value}`);
    assert.deepEqual(JSON.parse(JSON.stringify(est)), est);
  });

  it('is refused when the scores are not calibrated on the reference data, or when there are no labels', () => {
    // The same real scores pushed towards the extremes: ranking kept, calibration broken.
    const sharpened = referenceProbs.map(([, p]) => { const q = p! ** 3 / (p! ** 3 + (1 - p!) ** 3); return [1 - q, q]; });
    const uncalibrated = buildProfile(profileRows('purchase', reference, sharpened), { task: 'binary' });
    const window = new WindowAccumulator(uncalibrated);
    holdout.slice(0, 200).forEach((r, i) => window.add(featuresOf('purchase', r), holdoutProbs[i]!));
    assert.deepEqual(estimatePerformance(uncalibrated, window), { available: false, reason: 'not calibrated on the reference data' });
    const unlabelled = buildProfile(reference.map((r, i) => ({ features: featuresOf('purchase', r), output: referenceProbs[i]! })), { task: 'binary' });
    const est = estimatePerformance(unlabelled, new WindowAccumulator(unlabelled));
    assert.equal(est.available, false);
  });

  it('prediction drift: the score distribution of the drifted file differs from the reference', async () => {
    const drifted = readRows('purchase', 'drifted');
    const probs = await predict('purchase', drifted);
    const window = new WindowAccumulator(profile);
    drifted.forEach((r, i) => window.add(featuresOf('purchase', r), probs[i]!));
    const v = evaluateWindow(profile, window);
    assert.equal(v.prediction_drift!.drifted, true);
    const calm = new WindowAccumulator(profile);
    holdout.forEach((r, i) => calm.add(featuresOf('purchase', r), holdoutProbs[i]!));
    assert.equal(evaluateWindow(profile, calm).prediction_drift!.drifted, false);
  });
});
