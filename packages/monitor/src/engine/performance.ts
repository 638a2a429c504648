/**
 * Model performance from labels, each metric with a 95 % interval: Wilson for proportions
 * (accuracy; binary precision and recall), a seeded percentile bootstrap for the rest. The
 * bootstrap draws multinomial weights per replicate and evaluates every metric on the weighted
 * sample; scores are sorted once, so a replicate costs O(n) per class and the total cost is bounded.
 */
import { PonteError } from '@ponte/core';
import { bootstrapWeights, seededRandom } from './random.js';
import { wilsonInterval } from './tests.js';
import type { Label, MetricValue } from './types.js';

/** One labelled classification. */
export type ClassificationItem = {
  /** The predicted class. */
  predicted: Label;
  /** The true class. */
  label: Label;
  /** Binary: the probability/score of the positive class. */
  score?: number;
  /** The probability of each class, in the order of `options.labels`. */
  probabilities?: readonly number[];
};

export type ClassificationOptions = {
  /** Bootstrap replicates (default 200; reduced automatically for very large inputs). */
  bootstrap?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
  /** Binary: the positive class (default the second label). */
  positive?: Label;
  /** Number of equal-width bins for the calibration error (default 10). */
  calibrationBins?: number;
};

/** Classification metrics; a metric is `null` when it cannot be computed (e.g. no scores for ROC AUC). */
export type ClassificationPerformance = {
  n: number;
  /** `binary` metrics are about the positive class; `multiclass` ones are macro averages (one-vs-rest). */
  average: 'binary' | 'macro';
  accuracy: MetricValue | null;
  precision: MetricValue | null;
  recall: MetricValue | null;
  f1: MetricValue | null;
  roc_auc: MetricValue | null;
  log_loss: MetricValue | null;
  /** Expected calibration error: binary on the positive score, multiclass on the top-class confidence. */
  ece: MetricValue | null;
};

/** One labelled regression. */
export type RegressionItem = {
  predicted: number;
  value: number;
};

export type RegressionPerformance = {
  n: number;
  mae: MetricValue | null;
  rmse: MetricValue | null;
  r2: MetricValue | null;
  /** Mean of predicted − value: positive means over-prediction. */
  mean_error: MetricValue | null;
};

const WORK_BUDGET = 4e7;
const EPS = 1e-15;

type WeightedMetric = (w: Float64Array | null) => number;

function percentileInterval(values: number[]): { low: number | null; high: number | null } {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length < 10) return { low: null, high: null };
  const at = (q: number): number => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))]!;
  return { low: at(0.025), high: at(0.975) };
}

/** Runs the bootstrap for all metrics at once; returns the point value and percentile interval of each. */
function bootstrapAll(n: number, metrics: Record<string, WeightedMetric>, replicates: number, seed: number): Record<string, MetricValue | null> {
  const random = seededRandom(seed);
  const samples: Record<string, number[]> = {};
  for (const k of Object.keys(metrics)) samples[k] = [];
  const w = new Float64Array(n);
  for (let b = 0; b < replicates; b++) {
    bootstrapWeights(n, random, w);
    for (const [k, f] of Object.entries(metrics)) samples[k]!.push(f(w));
  }
  const out: Record<string, MetricValue | null> = {};
  for (const [k, f] of Object.entries(metrics)) {
    const value = f(null);
    if (!Number.isFinite(value)) {
      out[k] = null;
      continue;
    }
    const ci = percentileInterval(samples[k]!);
    out[k] = { value, ci_low: ci.low, ci_high: ci.high, n };
  }
  return out;
}

function wilsonMetric(successes: number, n: number): MetricValue | null {
  if (n === 0) return null;
  const ci = wilsonInterval(successes, n);
  return { value: successes / n, ci_low: ci.low, ci_high: ci.high, n };
}

function weightOf(w: Float64Array | null, i: number): number {
  return w === null ? 1 : w[i]!;
}

/** ROC AUC (Mann–Whitney, ties count ½) over items pre-sorted by score, with optional weights. */
function weightedAuc(order: Int32Array, scores: Float64Array, positive: Uint8Array, w: Float64Array | null): number {
  let negBelow = 0;
  let pos = 0;
  let neg = 0;
  let sum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    let tiePos = 0;
    let tieNeg = 0;
    const s = scores[order[i]!]!;
    while (j < order.length && scores[order[j]!] === s) {
      const k = order[j]!;
      const wk = weightOf(w, k);
      if (positive[k]) tiePos += wk;
      else tieNeg += wk;
      j++;
    }
    sum += tiePos * (negBelow + 0.5 * tieNeg);
    negBelow += tieNeg;
    pos += tiePos;
    neg += tieNeg;
    i = j;
  }
  return pos > 0 && neg > 0 ? sum / (pos * neg) : Number.NaN;
}

function sortedOrder(scores: Float64Array): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a]! - scores[b]!);
  return order;
}

/** Expected calibration error over equal-width confidence bins, with optional weights. */
function weightedEce(confidence: Float64Array, outcome: Float64Array, bins: number, w: Float64Array | null): number {
  const count = new Float64Array(bins);
  const sumConf = new Float64Array(bins);
  const sumOut = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < confidence.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(confidence[i]! * bins)));
    count[b]! += wi;
    sumConf[b]! += wi * confidence[i]!;
    sumOut[b]! += wi * outcome[i]!;
    total += wi;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(sumConf[b]! - sumOut[b]!) / total;
  return ece;
}

function normaliseLabels(items: readonly ClassificationItem[], labels: readonly Label[] | undefined): string[] {
  if (labels !== undefined && labels.length > 0) return labels.map(String);
  const seen = new Set<string>();
  for (const it of items) {
    seen.add(String(it.label));
    seen.add(String(it.predicted));
  }
  const all = [...seen];
  const numeric = all.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

/**
 * Classification performance with 95 % intervals.
 *
 * @param items - labelled predictions; label coverage (how many predictions have labels) is the caller's to report.
 * @param labels - the classes, in the order of `probabilities`; by default the sorted distinct labels and predictions.
 *   Two classes ⇒ binary metrics about `options.positive` (default the second class); more ⇒ macro averages.
 *
 * @example
 * ```ts
 * const perf = classificationPerformance(rows.map((r) => ({ predicted: r.p >= 0.5 ? 1 : 0, score: r.p, label: r.y })), [0, 1]);
 * perf.accuracy; // { value: 0.83, ci_low: 0.81, ci_high: 0.84, n: 2000 }
 * ```
 */
export function classificationPerformance(items: readonly ClassificationItem[], labels?: readonly Label[], options: ClassificationOptions = {}): ClassificationPerformance {
  const classes = normaliseLabels(items, labels);
  const index = new Map(classes.map((c, i) => [c, i]));
  const n = items.length;
  const k = classes.length;
  const binary = k === 2;
  const empty: ClassificationPerformance = { n, average: binary ? 'binary' : 'macro', accuracy: null, precision: null, recall: null, f1: null, roc_auc: null, log_loss: null, ece: null };
  if (n === 0 || k < 2) return empty;
  const y = new Int32Array(n);
  const yhat = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    const yi = index.get(String(it.label));
    const pi = index.get(String(it.predicted));
    if (yi === undefined) throw new PonteError('PONTE_VALIDATION_FAILED', `items[${i}].label: "${String(it.label)}" is not one of the labels`);
    if (pi === undefined) throw new PonteError('PONTE_VALIDATION_FAILED', `items[${i}].predicted: "${String(it.predicted)}" is not one of the labels`);
    y[i] = yi;
    yhat[i] = pi;
  }
  const pos = binary ? (options.positive === undefined ? 1 : index.get(String(options.positive)) ?? -1) : -1;
  if (binary && pos < 0) throw new PonteError('PONTE_VALIDATION_FAILED', `options.positive: "${String(options.positive)}" is not one of the labels`);

  // Probability of each class per item, when every item has them (a partial set would bias the metrics).
  let probs: Float64Array | null = null;
  if (items.every((it) => it.probabilities !== undefined && it.probabilities.length === k)) {
    probs = new Float64Array(n * k);
    items.forEach((it, i) => it.probabilities!.forEach((p, c) => { probs![i * k + c] = p; }));
  } else if (binary && items.every((it) => typeof it.score === 'number' && Number.isFinite(it.score))) {
    probs = new Float64Array(n * 2);
    items.forEach((it, i) => {
      probs![i * 2 + pos] = it.score!;
      probs![i * 2 + (1 - pos)] = 1 - it.score!;
    });
  }

  const metrics: Record<string, WeightedMetric> = {};
  const confusion = (w: Float64Array | null): Float64Array => {
    const m = new Float64Array(k * k);
    for (let i = 0; i < n; i++) m[y[i]! * k + yhat[i]!]! += weightOf(w, i);
    return m;
  };
  const prf = (m: Float64Array): { p: number; r: number; f: number } => {
    const classesOf = binary ? [pos] : classes.map((_, c) => c);
    let ps = 0;
    let rs = 0;
    let fs = 0;
    for (const c of classesOf) {
      const tp = m[c * k + c]!;
      let predicted = 0;
      let actual = 0;
      for (let j = 0; j < k; j++) {
        predicted += m[j * k + c]!;
        actual += m[c * k + j]!;
      }
      const p = predicted > 0 ? tp / predicted : 0;
      const r = actual > 0 ? tp / actual : 0;
      ps += p;
      rs += r;
      fs += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    }
    const d = classesOf.length;
    return { p: ps / d, r: rs / d, f: fs / d };
  };
  metrics.f1 = (w) => prf(confusion(w)).f;
  if (!binary) {
    metrics.precision = (w) => prf(confusion(w)).p;
    metrics.recall = (w) => prf(confusion(w)).r;
  }
  let aucClasses = 0;
  if (probs !== null) {
    const p = probs;
    const aucFor: Array<{ order: Int32Array; scores: Float64Array; positive: Uint8Array }> = [];
    for (const c of binary ? [pos] : classes.map((_, c) => c)) {
      const scores = Float64Array.from({ length: n }, (_, i) => p[i * k + c]!);
      const positive = Uint8Array.from({ length: n }, (_, i) => (y[i] === c ? 1 : 0));
      aucFor.push({ order: sortedOrder(scores), scores, positive });
    }
    aucClasses = aucFor.length;
    metrics.roc_auc = (w) => {
      let s = 0;
      let used = 0;
      for (const a of aucFor) {
        const v = weightedAuc(a.order, a.scores, a.positive, w);
        if (Number.isFinite(v)) {
          s += v;
          used++;
        }
      }
      return used === aucFor.length ? s / used : Number.NaN;
    };
    const trueProb = Float64Array.from({ length: n }, (_, i) => Math.min(1 - EPS, Math.max(EPS, p[i * k + y[i]!]!)));
    metrics.log_loss = (w) => {
      let s = 0;
      let t = 0;
      for (let i = 0; i < n; i++) {
        const wi = weightOf(w, i);
        s -= wi * Math.log(trueProb[i]!);
        t += wi;
      }
      return s / t;
    };
    const conf = new Float64Array(n);
    const outcome = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (binary) {
        conf[i] = Math.min(1, Math.max(0, p[i * k + pos]!));
        outcome[i] = y[i] === pos ? 1 : 0;
      } else {
        let best = 0;
        for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
        conf[i] = Math.min(1, Math.max(0, p[i * k + best]!));
        outcome[i] = y[i] === best ? 1 : 0;
      }
    }
    const bins = options.calibrationBins ?? 10;
    metrics.ece = (w) => weightedEce(conf, outcome, bins, w);
  }
  const perReplicate = n * (k + 2 + aucClasses);
  const replicates = Math.max(20, Math.min(options.bootstrap ?? 200, Math.floor(WORK_BUDGET / perReplicate)));
  const boot = bootstrapAll(n, metrics, replicates, options.seed ?? 1);

  const m = confusion(null);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += m[c * k + c]!;
  const result: ClassificationPerformance = { ...empty, accuracy: wilsonMetric(correct, n), f1: boot.f1 ?? null, roc_auc: boot.roc_auc ?? null, log_loss: boot.log_loss ?? null, ece: boot.ece ?? null };
  if (binary) {
    let predictedPos = 0;
    let actualPos = 0;
    for (let j = 0; j < k; j++) {
      predictedPos += m[j * k + pos]!;
      actualPos += m[pos * k + j]!;
    }
    result.precision = wilsonMetric(m[pos * k + pos]!, predictedPos);
    result.recall = wilsonMetric(m[pos * k + pos]!, actualPos);
  } else {
    result.precision = boot.precision ?? null;
    result.recall = boot.recall ?? null;
  }
  return result;
}

/**
 * Regression performance (MAE, RMSE, R², mean error) with seeded bootstrap 95 % intervals.
 *
 * @example
 * ```ts
 * regressionPerformance([{ predicted: 210, value: 200 }, ...]).mae; // { value: 19.1, ci_low: 18.3, ci_high: 19.9, n: 2000 }
 * ```
 */
export function regressionPerformance(items: readonly RegressionItem[], options: { bootstrap?: number; seed?: number } = {}): RegressionPerformance {
  const n = items.length;
  if (n === 0) return { n, mae: null, rmse: null, r2: null, mean_error: null };
  const pred = new Float64Array(n);
  const val = new Float64Array(n);
  items.forEach((it, i) => {
    if (!Number.isFinite(it.predicted)) throw new PonteError('PONTE_VALIDATION_FAILED', `items[${i}].predicted: must be a finite number`);
    if (!Number.isFinite(it.value)) throw new PonteError('PONTE_VALIDATION_FAILED', `items[${i}].value: must be a finite number`);
    pred[i] = it.predicted;
    val[i] = it.value;
  });
  const sums = (w: Float64Array | null): { t: number; ae: number; se: number; e: number; sy: number; syy: number } => {
    let t = 0, ae = 0, se = 0, e = 0, sy = 0, syy = 0;
    for (let i = 0; i < n; i++) {
      const wi = weightOf(w, i);
      if (wi === 0) continue;
      const d = pred[i]! - val[i]!;
      t += wi;
      ae += wi * Math.abs(d);
      se += wi * d * d;
      e += wi * d;
      sy += wi * val[i]!;
      syy += wi * val[i]! * val[i]!;
    }
    return { t, ae, se, e, sy, syy };
  };
  const metrics: Record<string, WeightedMetric> = {
    mae: (w) => { const s = sums(w); return s.ae / s.t; },
    rmse: (w) => { const s = sums(w); return Math.sqrt(s.se / s.t); },
    r2: (w) => { const s = sums(w); const sst = s.syy - (s.sy * s.sy) / s.t; return sst > 0 ? 1 - s.se / sst : Number.NaN; },
    mean_error: (w) => { const s = sums(w); return s.e / s.t; },
  };
  const replicates = Math.max(20, Math.min(options.bootstrap ?? 200, Math.floor(WORK_BUDGET / (n * 4))));
  const boot = bootstrapAll(n, metrics, replicates, options.seed ?? 1);
  return { n, mae: boot.mae ?? null, rmse: boot.rmse ?? null, r2: boot.r2 ?? null, mean_error: boot.mean_error ?? null };
}
