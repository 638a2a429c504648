/**
 * Reference profiles: built offline from reference rows (validation/holdout data or the first
 * production rows), shipped with the model version, and merged when the reference comes in parts.
 */
import { PonteError } from '@ponte/core';
import { countBins, equalFrequencyEdges, quantileSorted } from './bins.js';
import { addToMoments, mergeMoments, stdOf, type Moments } from './moments.js';
import { classificationPerformance, regressionPerformance, type ClassificationItem, type RegressionItem } from './performance.js';
import { readCategorical, readNumeric, readOutput, type OutputContext, type OutputReading } from './values.js';
import type { CategoricalProfile, FeatureProfile, FeatureSpec, Label, MetricValue, ModelOutput, ModelTask, NumericProfile, OutputProfile, ReferenceProfile, ReliabilityBin } from './types.js';

/** One reference row: the features by name, optionally the model's main output and the label. */
export type ProfileRow = {
  features: Readonly<Record<string, unknown>>;
  output?: ModelOutput;
  label?: Label;
};

export type BuildProfileOptions = {
  /** The features to profile, in order. Default: the keys of the first row, numeric when its value is a number. */
  features?: readonly FeatureSpec[];
  /** Equal-frequency bins per numeric feature (default 20: power for 0.2–0.3σ shifts at 1,000 rows). */
  bins?: number;
  /** Categories kept per categorical feature; rarer ones are pooled as "other" (default 64). */
  topK?: number;
  /** What the output means; required when rows carry outputs. */
  task?: ModelTask;
  /** Classification: the classes in probability-vector order (default `[0, 1]` for binary, the seen classes for multiclass). */
  classes?: readonly Label[];
  /** Binary: the positive class (default the second class). */
  positiveClass?: Label;
  /** Binary: score ≥ threshold predicts the positive class (default 0.5). */
  threshold?: number;
  /**
   * Reuse this profile's bin edges and categories instead of computing new ones, so that
   * `mergeProfiles(from, built)` is exact. Use it to build a profile in parts.
   */
  binsFrom?: ReferenceProfile;
  /** Equal-width reliability bins for the calibration check (default 10). */
  calibrationBins?: number;
  /** Bootstrap replicates and seed for the reference performance intervals (defaults 200 and 1). */
  bootstrap?: number;
  seed?: number;
};

function inferFeatures(rows: readonly ProfileRow[]): FeatureSpec[] {
  const first = rows[0]?.features ?? {};
  return Object.keys(first).map((name) => {
    const v = first[name];
    return { name, type: typeof v === 'number' || v === null || v === undefined ? 'numeric' : 'categorical' };
  });
}

/** A numeric profile of `values`, on `from`'s bins when given. */
export function profileNumeric(values: Iterable<unknown>, bins: number, from?: NumericProfile): NumericProfile {
  let rows = 0, missing = 0, nan = 0, inf = 0, type = 0;
  const finite: number[] = [];
  const m: Moments = { n: 0, mean: 0, m2: 0 };
  for (const v of values) {
    rows++;
    const r = readNumeric(v);
    if (r === 'missing') missing++;
    else if (r === 'nan') nan++;
    else if (r === 'inf') inf++;
    else if (r === 'type') type++;
    else {
      finite.push(r);
      addToMoments(m, r);
    }
  }
  const sorted = Float64Array.from(finite).sort();
  const { edges, discrete } = from !== undefined ? { edges: [...from.edges], discrete: from.discrete } : equalFrequencyEdges(sorted, bins);
  const n = sorted.length;
  const atoms: NumericProfile['atoms'] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    if (j - i > n / bins) atoms.push({ value: sorted[i]!, count: j - i });
    i = j;
  }
  return {
    type: 'numeric', rows, missing, nan, inf, type_violations: type, n,
    mean: m.mean, m2: m.m2, std: stdOf(m),
    min: n > 0 ? sorted[0]! : null, max: n > 0 ? sorted[n - 1]! : null,
    p001: n > 0 ? quantileSorted(sorted, 0.001) : null, p999: n > 0 ? quantileSorted(sorted, 0.999) : null,
    discrete, edges, counts: countBins(edges, sorted), atoms, approximate: false,
  };
}

function topCategories(counts: Map<string, number>, topK: number): { categories: string[]; counts: number[]; other: number; complete: boolean } {
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = sorted.slice(0, topK);
  const other = sorted.slice(topK).reduce((s, [, c]) => s + c, 0);
  return { categories: kept.map(([k]) => k), counts: kept.map(([, c]) => c), other, complete: sorted.length <= topK };
}

/** A categorical profile of `values`: the `topK` most frequent categories plus "other". */
export function profileCategorical(values: Iterable<unknown>, topK: number, always: readonly string[] = []): CategoricalProfile {
  let rows = 0, missing = 0, type = 0, n = 0;
  const counts = new Map<string, number>(always.map((c) => [c, 0]));
  for (const v of values) {
    rows++;
    const r = readCategorical(v);
    if (r === 'missing') missing++;
    else if (r === 'type') type++;
    else {
      n++;
      counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
    }
  }
  return { type: 'categorical', rows, missing, type_violations: type, n, ...topCategories(counts, Math.max(topK, always.length)) };
}

/** Reliability bins of binary scores against 0/1 outcomes, and the expected calibration error. */
export function reliability(scores: readonly number[], outcomes: readonly number[], bins: number): { bins: ReliabilityBin[]; ece: number; n: number } {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, n: 0, sum_score: 0, sum_label: 0 }));
  scores.forEach((s, i) => {
    const b = out[Math.min(bins - 1, Math.max(0, Math.floor(s * bins)))]!;
    b.n++;
    b.sum_score += s;
    b.sum_label += outcomes[i]!;
  });
  return { bins: out, ece: eceOf(out), n: scores.length };
}

/** Expected calibration error of reliability bins: Σ (n_b/n)·|mean score − observed rate|. */
export function eceOf(bins: readonly ReliabilityBin[]): number {
  const n = bins.reduce((s, b) => s + b.n, 0);
  return n === 0 ? 0 : bins.reduce((s, b) => s + Math.abs(b.sum_score - b.sum_label), 0) / n;
}

function outputContext(options: BuildProfileOptions, readings: readonly (OutputReading | null)[], labels: readonly (Label | undefined)[]): OutputContext {
  const task = options.task!;
  if (task === 'regression') return { task, classes: null, positive_class: null, threshold: null };
  let classes = options.classes?.map(String) ?? null;
  if (task === 'binary') {
    classes ??= ['0', '1'];
    if (classes.length !== 2) throw new PonteError('PONTE_VALIDATION_FAILED', 'options.classes: a binary model has exactly two classes');
    const positive = options.positiveClass === undefined ? classes[1]! : String(options.positiveClass);
    if (!classes.includes(positive)) throw new PonteError('PONTE_VALIDATION_FAILED', `options.positiveClass: "${positive}" is not one of options.classes`);
    return { task, classes, positive_class: positive, threshold: options.threshold ?? 0.5 };
  }
  if (classes === null) {
    const seen = new Set<string>();
    readings.forEach((r) => { if (r?.predicted !== undefined) seen.add(r.predicted); });
    labels.forEach((l) => { if (l !== undefined) seen.add(String(l)); });
    const all = [...seen];
    classes = all.every((s) => Number.isFinite(Number(s))) ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
  }
  return { task, classes, positive_class: null, threshold: null };
}

function profileOutput(rows: readonly ProfileRow[], options: BuildProfileOptions, bins: number, topK: number): OutputProfile | null {
  if (!rows.some((r) => r.output !== undefined)) return null;
  if (options.task === undefined) throw new PonteError('PONTE_VALIDATION_FAILED', 'options.task: required when rows carry outputs (binary, multiclass or regression)');
  const firstPass = rows.map((r) => (r.output === undefined ? null : readOutput(r.output, { task: options.task!, classes: options.classes?.map(String) ?? null, positive_class: null, threshold: null })));
  const ctx = outputContext(options, firstPass, rows.map((r) => r.label));
  const readings = rows.map((r) => (r.output === undefined ? null : readOutput(r.output, ctx)));
  const fromOutput = options.binsFrom?.output?.distribution;
  const distribution: FeatureProfile = ctx.task === 'multiclass'
    ? profileCategorical(readings.map((r) => r?.predicted), topK, ctx.classes ?? [])
    : profileNumeric(readings.map((r) => r?.score), bins, fromOutput?.type === 'numeric' ? fromOutput : undefined);

  let calibration: OutputProfile['calibration'] = null;
  let performance: Record<string, MetricValue> | null = null;
  const labelled = rows.map((r, i) => ({ label: r.label, reading: readings[i] })).filter((x): x is { label: Label; reading: OutputReading } => x.label !== undefined && x.reading !== null && x.reading !== undefined);
  if (labelled.length > 0) {
    const perfOptions = { bootstrap: options.bootstrap ?? 200, seed: options.seed ?? 1 };
    if (ctx.task === 'regression') {
      const items: RegressionItem[] = labelled.map(({ label, reading }) => ({ predicted: reading.score!, value: Number(label) })).filter((x) => Number.isFinite(x.value));
      performance = metricsOnly(regressionPerformance(items, perfOptions));
    } else {
      const items: ClassificationItem[] = labelled.map(({ label, reading }) => ({
        predicted: reading.predicted!, label: String(label),
        ...(reading.score !== undefined ? { score: reading.score } : {}),
        ...(reading.probabilities !== undefined ? { probabilities: reading.probabilities } : {}),
      }));
      performance = metricsOnly(classificationPerformance(items, ctx.classes!, { ...perfOptions, ...(ctx.positive_class !== null ? { positive: ctx.positive_class } : {}) }));
      if (ctx.task === 'binary') {
        calibration = reliability(labelled.map((x) => x.reading.score!), labelled.map((x) => (String(x.label) === ctx.positive_class ? 1 : 0)), options.calibrationBins ?? 10);
      }
    }
  }
  return { task: ctx.task, classes: ctx.classes === null ? null : [...ctx.classes], positive_class: ctx.positive_class, threshold: ctx.threshold, distribution, calibration, performance };
}

function metricsOnly(perf: object): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(perf)) if (v !== null && typeof v === 'object') out[k] = v as MetricValue;
  return out;
}

/**
 * Builds a reference profile from reference rows.
 *
 * Numeric features get `bins` equal-frequency bins (one bin per distinct value for discrete
 * features with at most `bins` values; repeated quantiles are merged), moments, min/max, the
 * 0.1 %/99.9 % quantiles and missing/NaN/±inf/type counts. Categorical features keep the top
 * `topK` categories plus "other". With outputs, the output distribution is profiled; with outputs
 * and labels, also the model's reference performance and (binary) its reliability bins and ECE,
 * which `estimatePerformance` (CBPE) requires.
 *
 * @example
 * ```ts
 * const profile = buildProfile(rows.map((r) => ({ features: r, output: score(r), label: r.purchased })), { task: 'binary' });
 * writeFileSync('reference-profile.json', JSON.stringify(profile));
 * ```
 */
export function buildProfile(rows: readonly ProfileRow[], options: BuildProfileOptions = {}): ReferenceProfile {
  if (rows.length === 0) throw new PonteError('PONTE_VALIDATION_FAILED', 'rows: a reference profile needs at least one row');
  const bins = options.bins ?? options.binsFrom?.bins ?? 20;
  const topK = options.topK ?? options.binsFrom?.top_k ?? 64;
  if (!Number.isInteger(bins) || bins < 2) throw new PonteError('PONTE_VALIDATION_FAILED', 'options.bins: must be an integer ≥ 2');
  if (!Number.isInteger(topK) || topK < 1) throw new PonteError('PONTE_VALIDATION_FAILED', 'options.topK: must be an integer ≥ 1');
  const specs = options.features ?? options.binsFrom?.feature_order.map((name) => ({ name, type: options.binsFrom!.features[name]!.type })) ?? inferFeatures(rows);
  const features: Record<string, FeatureProfile> = {};
  for (const spec of specs) {
    const values = rows.map((r) => r.features[spec.name]);
    const from = options.binsFrom?.features[spec.name];
    if (spec.type === 'numeric') features[spec.name] = profileNumeric(values, bins, from?.type === 'numeric' ? from : undefined);
    else features[spec.name] = profileCategorical(values, topK, from?.type === 'categorical' ? from.categories : []);
  }
  return { format: 'ponte.reference-profile', version: 1, rows: rows.length, feature_order: specs.map((s) => s.name), features, output: profileOutput(rows, options, bins, topK), bins, top_k: topK };
}

/** Estimated count of a numeric profile's values ≤ x, from its bins (uniform within a bin; exact for discrete bins). */
function countAtOrBelow(p: NumericProfile, x: number): number {
  if (p.n === 0 || p.min === null || p.max === null) return 0;
  let total = 0;
  for (let i = 0; i < p.counts.length; i++) {
    const c = p.counts[i]!;
    if (c === 0) continue;
    const hi = i < p.edges.length ? Math.min(p.edges[i]!, p.max) : p.max;
    if (p.discrete) {
      if (hi <= x) total += c;
      continue;
    }
    const lo = i === 0 ? p.min : Math.max(p.edges[i - 1]!, p.min);
    if (x >= hi) {
      total += c;
      continue;
    }
    // Heavy values inside the bin are point masses; the rest spreads uniformly over (lo, hi].
    let spread = c;
    for (const atom of p.atoms) {
      if ((i === 0 ? atom.value >= lo : atom.value > lo) && atom.value <= hi) {
        const mass = Math.min(spread, atom.count);
        spread -= mass;
        if (atom.value <= x) total += mass;
      }
    }
    if (x > lo) total += (spread * (x - lo)) / (hi - lo);
  }
  return total;
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function mergeAtoms(a: NumericProfile['atoms'], b: NumericProfile['atoms'], limit: number): NumericProfile['atoms'] {
  const byValue = new Map<number, number>();
  for (const x of [...a, ...b]) byValue.set(x.value, (byValue.get(x.value) ?? 0) + x.count);
  return [...byValue.entries()].sort((x, y) => y[1] - x[1]).slice(0, Math.max(1, limit)).map(([value, count]) => ({ value, count })).sort((x, y) => x.value - y.value);
}

/** Merges two numeric profiles; see `mergeProfiles`. */
export function mergeNumeric(a: NumericProfile, b: NumericProfile): NumericProfile {
  const base = a.n === 0 && b.n > 0 ? b : a;
  const other = base === a ? b : a;
  const exact = other.n === 0 || sameEdges(base.edges, other.edges);
  let counts: number[];
  if (exact) counts = base.counts.map((c, i) => c + (other.counts[i] ?? 0));
  else {
    // Re-bin `other` onto `base`'s edges from its bin-wise CDF; the result is rounded to whole counts that keep the total.
    const cum = [...base.edges.map((e) => countAtOrBelow(other, e)), other.n];
    let prevRounded = 0;
    counts = base.counts.map((c, i) => {
      const r = Math.round(cum[i]!);
      const add = Math.max(0, r - prevRounded);
      prevRounded = Math.max(prevRounded, r);
      return c + add;
    });
  }
  const m = mergeMoments(a, b);
  const minOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.min(x, y));
  const maxOf = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    type: 'numeric', rows: a.rows + b.rows, missing: a.missing + b.missing, nan: a.nan + b.nan, inf: a.inf + b.inf,
    type_violations: a.type_violations + b.type_violations, n: m.n, mean: m.mean, m2: m.m2, std: stdOf(m),
    min: minOf(a.min, b.min), max: maxOf(a.max, b.max), p001: minOf(a.p001, b.p001), p999: maxOf(a.p999, b.p999),
    discrete: base.discrete, edges: [...base.edges], counts, atoms: mergeAtoms(a.atoms, b.atoms, a.counts.length), approximate: a.approximate || b.approximate || !exact,
  };
}

/** Merges two categorical profiles; see `mergeProfiles`. */
export function mergeCategorical(a: CategoricalProfile, b: CategoricalProfile, topK: number): CategoricalProfile {
  const counts = new Map<string, number>();
  for (const p of [a, b]) p.categories.forEach((c, i) => counts.set(c, (counts.get(c) ?? 0) + p.counts[i]!));
  const top = topCategories(counts, topK);
  const n = a.n + b.n;
  const listed = top.counts.reduce((s, c) => s + c, 0);
  return { type: 'categorical', rows: a.rows + b.rows, missing: a.missing + b.missing, type_violations: a.type_violations + b.type_violations, n, ...top, other: n - listed, complete: a.complete && b.complete && top.complete };
}

function mergeFeature(name: string, a: FeatureProfile, b: FeatureProfile, topK: number): FeatureProfile {
  if (a.type === 'numeric' && b.type === 'numeric') return mergeNumeric(a, b);
  if (a.type === 'categorical' && b.type === 'categorical') return mergeCategorical(a, b, topK);
  throw new PonteError('PONTE_VALIDATION_FAILED', `features.${name}: numeric in one profile and categorical in the other`);
}

function mergeOutput(a: OutputProfile | null, b: OutputProfile | null, topK: number): OutputProfile | null {
  if (a === null || b === null) return a ?? b;
  if (a.task !== b.task) throw new PonteError('PONTE_VALIDATION_FAILED', `output.task: "${a.task}" in one profile and "${b.task}" in the other`);
  const distribution = mergeFeature('output', a.distribution, b.distribution, topK);
  let calibration = a.calibration ?? b.calibration;
  if (a.calibration !== null && b.calibration !== null && a.calibration.bins.length === b.calibration.bins.length) {
    const bins = a.calibration.bins.map((x, i) => {
      const y = b.calibration!.bins[i]!;
      return { lo: x.lo, hi: x.hi, n: x.n + y.n, sum_score: x.sum_score + y.sum_score, sum_label: x.sum_label + y.sum_label };
    });
    calibration = { bins, ece: eceOf(bins), n: a.calibration.n + b.calibration.n };
  }
  let performance = a.performance ?? b.performance;
  if (a.performance !== null && b.performance !== null) {
    performance = {};
    for (const [k, x] of Object.entries(a.performance)) {
      const y = b.performance[k];
      if (y === undefined) continue;
      performance[k] = { value: (x.value * x.n + y.value * y.n) / (x.n + y.n), ci_low: null, ci_high: null, n: x.n + y.n };
    }
  }
  return { ...a, distribution, calibration, performance };
}

/**
 * Merges two reference profiles (e.g. built from two files) into one.
 *
 * Exact: counts, missing/NaN/inf, moments (Chan's formula), min/max, categories when both
 * profiles list all their categories, reliability bins. Bins keep `a`'s edges. When `b` was
 * built with `binsFrom: a` (same edges), its bin counts are added and the merge is exact;
 * otherwise `b`'s counts are re-binned onto `a`'s edges assuming values spread uniformly inside
 * each of `b`'s bins (point masses for discrete bins) and the feature is marked `approximate`.
 * A's edges stay valid bins (the drift test does not need equal frequency; sparse bins are merged
 * at test time). p0.1/p99.9 become the wider of the two (a conservative range). Reference
 * performance becomes the row-weighted mean of the two, without interval.
 */
export function mergeProfiles(a: ReferenceProfile, b: ReferenceProfile): ReferenceProfile {
  const order = [...a.feature_order, ...b.feature_order.filter((n) => !(n in a.features))];
  const features: Record<string, FeatureProfile> = {};
  for (const name of order) {
    const x = a.features[name];
    const y = b.features[name];
    features[name] = x !== undefined && y !== undefined ? mergeFeature(name, x, y, a.top_k) : (x ?? y)!;
  }
  return { ...a, rows: a.rows + b.rows, feature_order: order, features, output: mergeOutput(a.output, b.output, a.top_k) };
}
