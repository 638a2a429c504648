/**
 * The verdict on one window: per-feature drift and data quality, prediction drift, and the
 * dataset-level decision. See docs/monitoring.md ("The drift test and why") for the reasoning.
 */
import { PonteError } from '@ponte/core';
import type { CategoricalWindowState, FeatureWindowState, NumericWindowState, WindowAccumulator } from './accumulator.js';
import { chiSquareHomogeneity, holmAdjust, jensenShannonDistance, ksFromBins, lInfinity, normalTwoSidedP, psi } from './tests.js';
import type { FeatureProfile, NumericProfile, ReferenceProfile } from './types.js';

export type EvaluateOptions = {
  /** Family-wise false-alarm probability per window across the features (default 0.01). */
  alpha?: number;
  /** Below this many rows the window is `insufficient_data` (default 1,000; 500 when the profile has ≤ 10 features). */
  minRows?: number;
  /** Numeric effect-size floor on PSI (default 0.05 ≈ a 0.22σ location shift). */
  psiFloor?: number;
  /** Categorical effect-size floor on L∞, the largest change of a category's share (default 0.05). */
  categoricalFloor?: number;
  /** Minimum expected count per χ² cell; sparser reference bins are merged (default 5). */
  minExpected?: number;
  /** Drifted features needed for dataset-level drift (default max(1, ⌈10 % of the tested features⌉)). */
  k?: number;
  /** Multiple-testing correction across the window's features (default 'holm'). */
  correction?: 'holm' | 'none';
  /** Quality thresholds: out-of-range share (default 0.01), unseen-category share (0.01), one new value's share (0.005), missing-rate increase (0.05 absolute). */
  outOfRangeLimit?: number;
  unseenLimit?: number;
  unseenValueLimit?: number;
  missingIncreaseLimit?: number;
};

/** How a feature's drift was decided. */
export type DriftMethod =
  | 'chi2_contingency' // Pearson χ² homogeneity test, reference and window both samples
  | 'constant' // the reference has one value/category: nothing to test (range/unseen checks still apply)
  | 'too_sparse' // after merging sparse bins fewer than two cells remain
  | 'no_values'; // the window has no usable value of this feature

/** A drift test result (features and prediction drift share it). */
export type DriftResult = {
  method: DriftMethod;
  statistic: number | null;
  df: number | null;
  p_value: number | null;
  /** Holm-adjusted across the window's tested features (prediction drift: unadjusted). */
  p_adjusted: number | null;
  effect_size: number | null;
  effect_size_method: 'psi' | 'l_infinity';
  effect_size_floor: number;
  /** Jensen–Shannon distance (log2, [0,1]) on the same cells, for display. */
  js_distance: number | null;
  /** Kolmogorov–Smirnov D from the cumulative bin shares (numeric only), for display. */
  ks_d: number | null;
  /** χ² cells after merging sparse bins. */
  cells: number;
  /** `p_adjusted < alpha` and `effect_size ≥ floor`; `null` when the window has too few rows to decide. */
  drifted: boolean | null;
};

export type QualityIssue = 'type_violations' | 'nan' | 'inf' | 'missing_rate_increase' | 'out_of_range' | 'unseen_categories' | 'new_value';

/** Data quality of one feature in the window (counts need no statistics). */
export type QualityReport = {
  rows: number;
  missing: number;
  missing_rate: number;
  reference_missing_rate: number;
  /** Two-proportion z-test of the missing rate against the reference. */
  missing_p_value: number | null;
  nan: number;
  inf: number;
  type_violations: number;
  /** Values outside the reference p0.1–p99.9 (numeric). */
  out_of_range: number;
  out_of_range_rate: number;
  /** Categories the reference never had (categorical, when the reference listed all its categories). */
  unseen_categories: number;
  unseen_rate: number;
  /** Some of the unseen values with their counts (at most 10 names). */
  unseen_examples: Record<string, number>;
  /** Window moments of a numeric feature (null when categorical or empty). */
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  issues: QualityIssue[];
};

export type FeatureVerdict = {
  type: 'numeric' | 'categorical';
  drift: DriftResult;
  quality: QualityReport;
};

export type WindowStatus = 'ok' | 'drift' | 'insufficient_data';

/** The verdict on one window. */
export type WindowVerdict = {
  rows: number;
  status: WindowStatus;
  /** Dataset-level drift: at least `k` of the `m` tested features drifted. `null` with insufficient data. */
  drifted: boolean | null;
  min_rows: number;
  alpha: number;
  k: number;
  /** Features that were tested (not constant, not empty). */
  m: number;
  drifted_features: string[];
  features: Record<string, FeatureVerdict>;
  /** Drift of the score/value/class distribution; `null` when the profile or window has no outputs. */
  prediction_drift: DriftResult | null;
  /** Outputs that did not fit the task. */
  invalid_outputs: number;
  /** Every quality issue, as `feature: issue`. */
  quality_issues: string[];
};

/** Default minimum window size for a profile with `features` features (MONITORING.md). */
export function defaultMinRows(features: number): number {
  return features <= 10 ? 500 : 1000;
}

/** Default k of the k-of-m rule: max(1, ⌈m/10⌉). */
export function defaultK(m: number): number {
  return Math.max(1, Math.ceil(m / 10));
}

/** Merges adjacent cells until every cell's reference count is at least `need`. */
function mergeOrdered(ref: readonly number[], cur: readonly number[], need: number): { ref: number[]; cur: number[] } {
  const r: number[] = [];
  const c: number[] = [];
  let ar = 0;
  let ac = 0;
  for (let i = 0; i < ref.length; i++) {
    ar += ref[i]!;
    ac += cur[i]!;
    if (ar >= need) {
      r.push(ar);
      c.push(ac);
      ar = 0;
      ac = 0;
    }
  }
  if (ar > 0 || ac > 0) {
    if (r.length === 0) {
      r.push(ar);
      c.push(ac);
    } else {
      r[r.length - 1]! += ar;
      c[c.length - 1]! += ac;
    }
  }
  return { ref: r, cur: c };
}

/** Pools categories with too few reference rows (and other/unseen) into one cell; a still-sparse pool joins the smallest cell. */
function mergeCategories(ref: readonly number[], cur: readonly number[], need: number): { ref: number[]; cur: number[] } {
  const r: number[] = [];
  const c: number[] = [];
  let pr = 0;
  let pc = 0;
  for (let i = 0; i < ref.length; i++) {
    if (ref[i]! >= need) {
      r.push(ref[i]!);
      c.push(cur[i]!);
    } else {
      pr += ref[i]!;
      pc += cur[i]!;
    }
  }
  if (pr >= need || r.length === 0) {
    r.push(pr);
    c.push(pc);
  } else if (pr > 0 || pc > 0) {
    let smallest = 0;
    for (let i = 1; i < r.length; i++) if (r[i]! < r[smallest]!) smallest = i;
    r[smallest]! += pr;
    c[smallest]! += pc;
  }
  return { ref: r, cur: c };
}

function isConstant(p: FeatureProfile): boolean {
  if (p.type === 'numeric') return p.n > 0 && p.min === p.max;
  return p.n > 0 && p.other === 0 && p.counts.filter((c) => c > 0).length === 1;
}

interface RawDrift extends Omit<DriftResult, 'p_adjusted' | 'drifted'> {
  testable: boolean;
}

function driftOf(p: FeatureProfile, s: FeatureWindowState, o: Required<Pick<EvaluateOptions, 'psiFloor' | 'categoricalFloor' | 'minExpected'>>): RawDrift {
  const numeric = p.type === 'numeric';
  const method: RawDrift['effect_size_method'] = numeric ? 'psi' : 'l_infinity';
  const floor = numeric ? o.psiFloor : o.categoricalFloor;
  const blank = { statistic: null, df: null, p_value: null, effect_size: null, effect_size_method: method, effect_size_floor: floor, js_distance: null, ks_d: null, cells: 0, testable: false };
  if (isConstant(p)) return { method: 'constant', ...blank };
  if (s.n === 0 || p.n === 0) return { method: 'no_values', ...blank };
  const need = o.minExpected * Math.max(1, p.n / s.n);
  let cells: { ref: number[]; cur: number[] };
  if (p.type === 'numeric') cells = mergeOrdered(p.counts, (s as NumericWindowState).counts, need);
  else {
    const w = s as CategoricalWindowState;
    cells = mergeCategories([...p.counts, p.other, 0], [...w.counts, w.other, w.unseen], need);
  }
  if (cells.ref.length < 2) return { method: 'too_sparse', ...blank, cells: cells.ref.length };
  const test = chiSquareHomogeneity(cells.ref, cells.cur);
  return {
    method: 'chi2_contingency', statistic: test.statistic, df: test.df, p_value: test.p_value,
    effect_size: numeric ? psi(cells.ref, cells.cur) : lInfinity(cells.ref, cells.cur), effect_size_method: method, effect_size_floor: floor,
    js_distance: jensenShannonDistance(cells.ref, cells.cur), ks_d: numeric ? ksFromBins(cells.ref, cells.cur) : null, cells: cells.ref.length, testable: true,
  };
}

function qualityOf(p: FeatureProfile, s: FeatureWindowState, o: Required<Pick<EvaluateOptions, 'alpha' | 'outOfRangeLimit' | 'unseenLimit' | 'unseenValueLimit' | 'missingIncreaseLimit'>>): QualityReport {
  const rows = s.rows;
  const rate = (x: number, n: number): number => (n > 0 ? x / n : 0);
  const refMissing = rate(p.missing, p.rows);
  const missingRate = rate(s.missing, rows);
  let missingP: number | null = null;
  if (rows > 0 && p.rows > 0) {
    const pooled = (p.missing + s.missing) / (p.rows + rows);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / p.rows + 1 / rows));
    missingP = se > 0 ? normalTwoSidedP((missingRate - refMissing) / se) : missingRate === refMissing ? 1 : 0;
  }
  const issues: QualityIssue[] = [];
  if (s.type_violations > 0) issues.push('type_violations');
  if (missingP !== null && missingP < o.alpha && missingRate - refMissing >= o.missingIncreaseLimit) issues.push('missing_rate_increase');
  let nan = 0, inf = 0, outOfRange = 0, unseen = 0;
  let examples: Record<string, number> = {};
  let moments: Pick<QualityReport, 'mean' | 'std' | 'min' | 'max'> = { mean: null, std: null, min: null, max: null };
  if (s.type === 'numeric') {
    const ref = p as NumericProfile;
    nan = s.nan;
    inf = s.inf;
    if (nan > 0 && ref.nan === 0) issues.push('nan');
    if (inf > 0 && ref.inf === 0) issues.push('inf');
    outOfRange = s.below_range + s.above_range;
    if (rate(outOfRange, s.n) > o.outOfRangeLimit) issues.push('out_of_range');
    moments = { mean: s.n > 0 ? s.mean : null, std: s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : null, min: s.min, max: s.max };
  } else {
    unseen = s.unseen;
    examples = { ...s.unseen_examples };
    if (rate(unseen, s.n) > o.unseenLimit) issues.push('unseen_categories');
    if (Object.values(examples).some((c) => rate(c, s.n) >= o.unseenValueLimit)) issues.push('new_value');
  }
  return {
    rows, missing: s.missing, missing_rate: missingRate, reference_missing_rate: refMissing, missing_p_value: missingP,
    nan, inf, type_violations: s.type_violations, out_of_range: outOfRange, out_of_range_rate: rate(outOfRange, s.type === 'numeric' ? s.n : 0),
    unseen_categories: unseen, unseen_rate: rate(unseen, s.type === 'categorical' ? s.n : 0), unseen_examples: examples, ...moments, issues,
  };
}

function finish(raw: RawDrift, pAdjusted: number | null, alpha: number, decide: boolean): DriftResult {
  const { testable, ...rest } = raw;
  const drifted = !decide ? null : testable && pAdjusted !== null && raw.effect_size !== null && pAdjusted < alpha && raw.effect_size >= raw.effect_size_floor;
  return { ...rest, p_adjusted: pAdjusted, drifted };
}

/**
 * Evaluates one window against the reference profile.
 *
 * Each feature with at least two testable cells gets a 2×K χ² homogeneity test on the reference
 * bins (sparse bins merged so every expected count ≥ `minExpected`); p-values are Holm-adjusted
 * across the window's tested features; a feature drifts when `p_adjusted < alpha` **and** its
 * effect size reaches the floor (PSI for numeric, L∞ for categorical). The window drifts when at
 * least `k` features drift. A window below `minRows` is `insufficient_data` (`drifted: null`):
 * statistics are still reported, but no verdict.
 */
export function evaluateWindow(profile: ReferenceProfile, window: WindowAccumulator, options: EvaluateOptions = {}): WindowVerdict {
  if (window.profile !== profile && JSON.stringify(window.profile.feature_order) !== JSON.stringify(profile.feature_order)) {
    throw new PonteError('PONTE_VALIDATION_FAILED', 'window: accumulated against a different reference profile');
  }
  const alpha = options.alpha ?? 0.01;
  if (!(alpha > 0 && alpha < 1)) throw new PonteError('PONTE_VALIDATION_FAILED', 'options.alpha: must be in (0, 1)');
  const minRows = options.minRows ?? defaultMinRows(profile.feature_order.length);
  const testOptions = { psiFloor: options.psiFloor ?? 0.05, categoricalFloor: options.categoricalFloor ?? 0.05, minExpected: options.minExpected ?? 5 };
  const qualityOptions = { alpha, outOfRangeLimit: options.outOfRangeLimit ?? 0.01, unseenLimit: options.unseenLimit ?? 0.01, unseenValueLimit: options.unseenValueLimit ?? 0.005, missingIncreaseLimit: options.missingIncreaseLimit ?? 0.05 };
  const state = window.snapshot;
  const decide = state.rows >= minRows;

  const names = profile.feature_order;
  const raws = names.map((name) => driftOf(profile.features[name]!, state.features[name]!, testOptions));
  const tested = raws.map((r, i) => [r, i] as const).filter(([r]) => r.testable);
  const pValues = tested.map(([r]) => r.p_value!);
  const adjusted = (options.correction ?? 'holm') === 'holm' ? holmAdjust(pValues) : pValues;
  const pAdj = new Array<number | null>(names.length).fill(null);
  tested.forEach(([, i], j) => { pAdj[i] = adjusted[j]!; });

  const features: Record<string, FeatureVerdict> = {};
  const driftedFeatures: string[] = [];
  const qualityIssues: string[] = [];
  names.forEach((name, i) => {
    const p = profile.features[name]!;
    const drift = finish(raws[i]!, pAdj[i]!, alpha, decide);
    const quality = qualityOf(p, state.features[name]!, qualityOptions);
    if (drift.drifted === true) driftedFeatures.push(name);
    for (const issue of quality.issues) qualityIssues.push(`${name}: ${issue}`);
    features[name] = { type: p.type, drift, quality };
  });

  const m = tested.length;
  const k = options.k ?? defaultK(m);
  const drifted = decide ? m > 0 && driftedFeatures.length >= k : null;

  let predictionDrift: DriftResult | null = null;
  let invalidOutputs = 0;
  if (profile.output !== null && state.output !== null) {
    invalidOutputs = state.output.invalid;
    if (state.output.distribution.n > 0) {
      const raw = driftOf(profile.output.distribution, state.output.distribution, testOptions);
      predictionDrift = finish(raw, raw.p_value, alpha, decide);
    }
  }
  return {
    rows: state.rows, status: !decide ? 'insufficient_data' : drifted ? 'drift' : 'ok', drifted, min_rows: minRows, alpha, k, m,
    drifted_features: driftedFeatures, features, prediction_drift: predictionDrift, invalid_outputs: invalidOutputs, quality_issues: qualityIssues,
  };
}
