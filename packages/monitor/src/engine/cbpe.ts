/**
 * Confidence-based performance estimation (CBPE) for binary classifiers: before labels arrive,
 * a calibrated score p̂ is the probability that the row is positive, so the expected confusion
 * matrix of a window is a sum of p̂ and 1−p̂, and the realised one differs from it by a sum of
 * independent Bernoulli deviations with variance Σ p̂(1−p̂). That gives the estimate and its
 * interval from five running sums; it is only valid when the scores are calibrated, which the
 * reference profile's labelled rows check.
 */
import type { WindowAccumulator } from './accumulator.js';
import { normalQuantile } from './tests.js';
import type { MetricValue, ReferenceProfile } from './types.js';

export type CbpeOptions = {
  /** Largest reference ECE at which the scores count as calibrated (default 0.05). */
  maxEce?: number;
  /** Fewest scored rows in the window (default 50). */
  minRows?: number;
  /** Interval confidence (default 0.95). */
  confidence?: number;
};

/** Estimated performance of a window, or why there is none. */
export type EstimatedPerformance =
  | {
      available: true;
      method: 'cbpe';
      /** Scored rows in the window. */
      n: number;
      /** The reference ECE that admitted the estimate. */
      reference_ece: number;
      accuracy: MetricValue;
      precision: MetricValue | null;
      recall: MetricValue | null;
      f1: MetricValue | null;
      /** From the window's score histogram; interval by Hanley–McNeil on the expected class sizes. */
      roc_auc: MetricValue | null;
    }
  | { available: false; reason: string };

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function metric(value: number, variance: number, z: number, n: number): MetricValue {
  const half = z * Math.sqrt(Math.max(0, variance));
  return { value, ci_low: clamp01(value - half), ci_high: clamp01(value + half), n };
}

/**
 * Estimates a binary classifier's accuracy, precision, recall, F1 and ROC AUC on a window from its
 * scores alone. Requires a reference profile with labelled outputs whose ECE is at most `maxEce`.
 *
 * @example
 * ```ts
 * const est = estimatePerformance(profile, window);
 * if (est.available) console.log(est.accuracy.value, est.accuracy.ci_low, est.accuracy.ci_high);
 * else console.log(est.reason); // e.g. 'not calibrated on the reference data'
 * ```
 */
export function estimatePerformance(profile: ReferenceProfile, window: WindowAccumulator, options: CbpeOptions = {}): EstimatedPerformance {
  const out = profile.output;
  if (out === null || out.task !== 'binary') return { available: false, reason: 'CBPE needs a binary classifier with scores in the reference profile' };
  if (out.calibration === null || out.calibration.n === 0) return { available: false, reason: 'the reference profile has no labelled outputs to check calibration' };
  const maxEce = options.maxEce ?? 0.05;
  if (out.calibration.ece > maxEce) return { available: false, reason: 'not calibrated on the reference data' };
  const c = window.snapshot.output?.cbpe ?? null;
  const minRows = options.minRows ?? 50;
  if (c === null || c.n < minRows) return { available: false, reason: `fewer than ${minRows} scored rows in the window` };
  const z = normalQuantile(1 - (1 - (options.confidence ?? 0.95)) / 2);
  const n = c.n;
  const tp = c.expected_tp;
  const fn = c.expected_fn;
  const pp = c.predicted_positive;
  const vp = c.var_predicted_positive;
  const vn = c.var_predicted_negative;

  // Accuracy: correct = TP + TN; TN = (#pred. negative) − FN, so Var = Var(TP) + Var(FN).
  const accuracy = metric((tp + c.expected_tn) / n, (vp + vn) / (n * n), z, n);
  // Precision: TP over a known count of predicted positives.
  const precision = pp > 0 ? metric(tp / pp, vp / (pp * pp), z, pp) : null;
  // Recall X/(X+Y) and F1 2X/(X+pp+Y), X = TP, Y = FN independent: delta method.
  const actual = tp + fn;
  const recall = actual > 0 ? metric(tp / actual, (fn * fn * vp + tp * tp * vn) / actual ** 4, z, n) : null;
  const d = tp + pp + fn;
  const f1 = d > 0 ? metric((2 * tp) / d, (4 * ((pp + fn) ** 2 * vp + tp * tp * vn)) / d ** 4, z, n) : null;

  let rocAuc: MetricValue | null = null;
  const P = c.score_bins_positive.reduce((s, x) => s + x, 0);
  const N = c.score_bins_negative.reduce((s, x) => s + x, 0);
  if (P > 1 && N > 1) {
    let negBelow = 0;
    let sum = 0;
    for (let b = 0; b < c.score_bins_positive.length; b++) {
      const pos = c.score_bins_positive[b]!;
      const neg = c.score_bins_negative[b]!;
      sum += pos * (negBelow + 0.5 * neg);
      negBelow += neg;
    }
    const auc = sum / (P * N);
    const q1 = auc / (2 - auc);
    const q2 = (2 * auc * auc) / (1 + auc);
    const variance = (auc * (1 - auc) + (P - 1) * (q1 - auc * auc) + (N - 1) * (q2 - auc * auc)) / (P * N);
    rocAuc = metric(auc, variance, z, n);
  }
  return { available: true, method: 'cbpe', n, reference_ece: out.calibration.ece, accuracy, precision, recall, f1, roc_auc: rocAuc };
}
