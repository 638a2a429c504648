import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildProfile, classificationPerformance, comparePerformance, regressionPerformance, seededRandom, type ClassificationItem } from '../src/engine/index.js';
import { predict, profileRows, readRows, type Row } from './engine-fixtures.js';

function binaryItems(rows: readonly Row[], probs: readonly number[][]): ClassificationItem[] {
  return rows.map((r, i) => ({ predicted: probs[i]![1]! >= 0.5 ? 1 : 0, score: probs[i]![1]!, label: r.purchased! }));
}

/** ROC AUC by its definition: P(score of a positive > score of a negative), ties ½. */
function directAuc(items: readonly ClassificationItem[]): number {
  const pos = items.filter((x) => x.label === 1).map((x) => x.score!);
  const neg = items.filter((x) => x.label === 0).map((x) => x.score!);
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

describe('performance from labels (purchase model, real ONNX scores)', () => {
  const holdout = readRows('purchase', 'holdout');
  const drifted = readRows('purchase', 'drifted');
  const reference = readRows('purchase', 'reference');
  let holdoutItems: ClassificationItem[];
  let driftedItems: ClassificationItem[];
  let referenceProbs: number[][];
  before(async () => {
    holdoutItems = binaryItems(holdout, await predict('purchase', holdout));
    driftedItems = binaryItems(drifted, await predict('purchase', drifted));
    referenceProbs = await predict('purchase', reference);
  });

  it('accuracy and ROC AUC match a direct computation and the model card', () => {
    const perf = classificationPerformance(holdoutItems, [0, 1]);
    const correct = holdoutItems.filter((x) => x.predicted === x.label).length;
    assert.equal(perf.accuracy!.value, correct / 2000);
    assert.ok(Math.abs(perf.accuracy!.value - 0.8275) < 0.003);
    assert.ok(Math.abs(perf.roc_auc!.value - directAuc(holdoutItems)) < 1e-12);
    assert.ok(Math.abs(perf.roc_auc!.value - 0.8553) < 0.002);
    assert.ok(Math.abs(perf.log_loss!.value - 0.3872) < 0.002);
    const tp = holdoutItems.filter((x) => x.predicted === 1 && x.label === 1).length;
    assert.equal(perf.precision!.value, tp / holdoutItems.filter((x) => x.predicted === 1).length);
    assert.equal(perf.recall!.value, tp / holdoutItems.filter((x) => x.label === 1).length);
    for (const m of [perf.accuracy, perf.precision, perf.recall, perf.f1, perf.roc_auc, perf.log_loss, perf.ece]) {
      assert.ok(m !== null && m.ci_low !== null && m.ci_high !== null && m.ci_low <= m.value && m.value <= m.ci_high, JSON.stringify(m));
    }
    // n is what the metric is a proportion of: all rows, predicted positives (precision), actual positives (recall).
    assert.equal(perf.accuracy!.n, 2000);
    assert.equal(perf.precision!.n, holdoutItems.filter((x) => x.predicted === 1).length);
    assert.equal(perf.recall!.n, holdoutItems.filter((x) => x.label === 1).length);
    assert.ok(perf.accuracy!.ci_high! - perf.accuracy!.ci_low! < 0.04);
    assert.deepEqual(classificationPerformance(holdoutItems, [0, 1]), perf, 'deterministic (seeded bootstrap)');
  });

  it('intervals of 200-row windows cover the full hold-out value most of the time', () => {
    const full = classificationPerformance(holdoutItems, [0, 1]);
    const random = seededRandom(11);
    let accuracyCovered = 0;
    let aucCovered = 0;
    for (let w = 0; w < 40; w++) {
      const sample = Array.from({ length: 200 }, () => holdoutItems[Math.floor(random() * holdoutItems.length)]!);
      const perf = classificationPerformance(sample, [0, 1], { seed: w });
      if (perf.accuracy!.ci_low! <= full.accuracy!.value && full.accuracy!.value <= perf.accuracy!.ci_high!) accuracyCovered++;
      if (perf.roc_auc!.ci_low! <= full.roc_auc!.value && full.roc_auc!.value <= perf.roc_auc!.ci_high!) aucCovered++;
    }
    assert.ok(accuracyCovered >= 34, `accuracy covered ${accuracyCovered}/40`);
    assert.ok(aucCovered >= 34, `AUC covered ${aucCovered}/40`);
  });

  it('on the drifted file the accuracy drop is significant: its interval excludes the reference accuracy', () => {
    const profile = buildProfile(profileRows('purchase', reference, referenceProbs), { task: 'binary' });
    const ref = profile.output!.performance!;
    const current = classificationPerformance(driftedItems, [0, 1]);
    assert.ok(Math.abs(current.accuracy!.value - 0.8015) < 0.003);
    assert.ok(current.accuracy!.ci_high! < ref.accuracy!.value, `${current.accuracy!.ci_high} vs ${ref.accuracy!.value}`);
    const change = comparePerformance(ref, current);
    assert.equal(change.accuracy!.degraded, true);
    assert.equal(change.log_loss!.degraded, true);
    // The hold-out (same distribution) shows no significant change in accuracy.
    assert.equal(comparePerformance(ref, classificationPerformance(holdoutItems, [0, 1])).accuracy!.degraded, false);
  });
});

describe('performance of the multiclass and regression models', () => {
  it('digits: accuracy, macro ROC AUC and log loss from the probability vectors', async () => {
    const rows = readRows('digits', 'holdout');
    const probs = await predict('digits', rows);
    const classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const items = rows.map((r, i) => ({ predicted: probs[i]!.indexOf(Math.max(...probs[i]!)), probabilities: probs[i]!, label: r.digit! }));
    const perf = classificationPerformance(items, classes);
    assert.equal(perf.average, 'macro');
    assert.ok(Math.abs(perf.accuracy!.value - 0.9722) < 0.003);
    assert.ok(Math.abs(perf.log_loss!.value - 0.0916) < 0.003);
    assert.ok(perf.roc_auc!.value > 0.99 && perf.roc_auc!.ci_low !== null);
    assert.ok(perf.f1!.ci_low! < perf.f1!.value && perf.f1!.value <= perf.f1!.ci_high!);
  });

  it('house: MAE, RMSE and R² with intervals; the drifted file\'s R² interval excludes the hold-out R²', async () => {
    const holdout = readRows('house', 'holdout');
    const drifted = readRows('house', 'drifted');
    const items = (rows: readonly Row[], preds: number[][]) => rows.map((r, i) => ({ predicted: preds[i]![0]!, value: r.price_kusd! }));
    const h = regressionPerformance(items(holdout, await predict('house', holdout)));
    assert.ok(Math.abs(h.mae!.value - 19.081) < 0.05, `mae ${h.mae!.value}`);
    assert.ok(Math.abs(h.r2!.value - 0.9131) < 0.002);
    assert.ok(h.rmse!.value >= h.mae!.value);
    const d = regressionPerformance(items(drifted, await predict('house', drifted)));
    assert.ok(Math.abs(d.r2!.value - 0.1086) < 0.01);
    assert.ok(d.r2!.ci_high! < h.r2!.ci_low!);
    assert.ok(d.mean_error!.ci_high! < 0, 'the model under-predicts after price inflation');
    assert.equal(comparePerformance(h, d).mae!.degraded, true);
  });

  it('rejects a label that is not one of the classes with a clear error', () => {
    assert.throws(() => classificationPerformance([{ predicted: 1, label: 7 }], [0, 1]), { code: 'PONTE_VALIDATION_FAILED', message: /items\[0\]\.label/ });
  });
});
