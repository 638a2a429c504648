import { seededRandom, type Random } from './random.js';

/**
 * The rows "absent" features take their values from: weighted rows
 * (`size × features`, row-major) with weights summing to 1. SHAP values
 * explain `f(x) − Σ_b w_b f(background_b)`.
 */
export interface Background {
  readonly rows: Float64Array;
  readonly weights: Float64Array;
  readonly size: number;
  readonly features: number;
}

export interface SummariseOptions {
  /** Clusters to keep (default 20): the cost of SHAP grows linearly with it. */
  readonly k?: number;
  readonly seed?: number;
  /** Lloyd iterations at most (default 100). */
  readonly maxIterations?: number;
  /**
   * Replace each centroid coordinate by the nearest value the feature
   * actually takes (default true, as shap's `kmeans(round_values=True)`), so
   * integer and binary features stay valid inputs.
   */
  readonly roundValues?: boolean;
}

/** A background of the given rows as they are, equally weighted. */
export function backgroundOf(rows: ArrayLike<number>, features: number): Background {
  const size = Math.floor(rows.length / features);
  if (size < 1) throw new Error('background: at least one row is needed');
  return { rows: Float64Array.from({ length: size * features }, (_, i) => rows[i]!), weights: new Float64Array(size).fill(1 / size), size, features };
}

/** The weighted mean row: a background of one row (exact for linear models; cheapest for any). */
export function meanOf(bg: Background): Float64Array {
  const mean = new Float64Array(bg.features);
  for (let b = 0; b < bg.size; b++) for (let i = 0; i < bg.features; i++) mean[i]! += bg.weights[b]! * bg.rows[b * bg.features + i]!;
  return mean;
}

/**
 * Summarises reference rows into at most `k` weighted centroids by k-means
 * (k-means++ seeding, Lloyd iterations), each weighted by its cluster's share
 * of the rows — the summary shap's `kmeans` builds for KernelExplainer. With
 * `k` at or above the row count the rows are kept as they are.
 */
export function summariseBackground(rows: ArrayLike<number>, features: number, options: SummariseOptions = {}): Background {
  const n = Math.floor(rows.length / features);
  const k = Math.max(1, Math.floor(options.k ?? 20));
  if (n < 1) throw new Error('background: at least one row is needed');
  if (n <= k) return backgroundOf(rows, features);
  const random = seededRandom(options.seed ?? 0);
  const data = Float64Array.from({ length: n * features }, (_, i) => rows[i]!);
  const centroids = seedCentroids(data, n, features, k, random);
  const assignment = new Int32Array(n);
  const counts = new Float64Array(k);
  for (let iter = 0; iter < (options.maxIterations ?? 100); iter++) {
    let changed = false;
    for (let r = 0; r < n; r++) {
      const c = nearest(data, r, centroids, k, features);
      if (c !== assignment[r] || iter === 0) changed = true;
      assignment[r] = c;
    }
    counts.fill(0);
    const sums = new Float64Array(k * features);
    for (let r = 0; r < n; r++) {
      const c = assignment[r]!;
      counts[c]! += 1;
      for (let i = 0; i < features; i++) sums[c * features + i]! += data[r * features + i]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centroid and ends with weight 0
      for (let i = 0; i < features; i++) centroids[c * features + i] = sums[c * features + i]! / counts[c]!;
    }
    if (!changed) break;
  }
  const kept = [...counts.keys()].filter((c) => counts[c]! > 0);
  const out = new Float64Array(kept.length * features);
  kept.forEach((c, o) => out.set(centroids.subarray(c * features, (c + 1) * features), o * features));
  if (options.roundValues ?? true) snapToObservedValues(out, kept.length, data, n, features);
  return { rows: out, weights: Float64Array.from(kept, (c) => counts[c]! / n), size: kept.length, features };
}

function seedCentroids(data: Float64Array, n: number, m: number, k: number, random: Random): Float64Array {
  const centroids = new Float64Array(k * m);
  const first = Math.floor(random() * n);
  centroids.set(data.subarray(first * m, (first + 1) * m), 0);
  const d2 = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let r = 0; r < n; r++) {
      d2[r] = Math.min(d2[r]!, distance2(data, r * m, centroids, (c - 1) * m, m));
      total += d2[r]!;
    }
    let pick = n - 1;
    let u = random() * total;
    for (let r = 0; r < n; r++) {
      u -= d2[r]!;
      if (u < 0) { pick = r; break; }
    }
    centroids.set(data.subarray(pick * m, (pick + 1) * m), c * m);
  }
  return centroids;
}

function nearest(data: Float64Array, r: number, centroids: Float64Array, k: number, m: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const d = distance2(data, r * m, centroids, c * m, m);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

function distance2(a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    s += d * d;
  }
  return s;
}

function snapToObservedValues(centroids: Float64Array, k: number, data: Float64Array, n: number, m: number): void {
  for (let i = 0; i < m; i++) {
    const column = Float64Array.from({ length: n }, (_, r) => data[r * m + i]!).sort();
    for (let c = 0; c < k; c++) {
      const v = centroids[c * m + i]!;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (column[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      const below = lo > 0 ? column[lo - 1]! : column[lo]!;
      centroids[c * m + i] = Math.abs(below - v) <= Math.abs(column[lo]! - v) ? below : column[lo]!;
    }
  }
}

/**
 * What a background needs from a monitoring reference profile's numeric
 * feature (a subset of `@ponte/monitor`'s `NumericProfile`).
 */
export interface FeatureProfileLike {
  readonly type: string;
  readonly mean?: number;
  readonly min?: number | null;
  readonly max?: number | null;
  readonly discrete?: boolean;
  readonly edges?: readonly number[];
  readonly counts?: readonly number[];
}

/**
 * A background from a reference profile when no reference rows are kept:
 * `k` rows drawn as a Latin hypercube of each feature's binned marginal
 * (quantiles `(i + ½)/k`, independently shuffled per feature), equally
 * weighted. Profiles keep marginals only, so the rows treat features as
 * independent — the interventional assumption SHAP makes anyway. `k = 1` gives
 * the mean row.
 */
export function backgroundFromProfile(features: Readonly<Record<string, FeatureProfileLike>>, featureNames: readonly string[], options: { k?: number; seed?: number } = {}): Background {
  const k = Math.max(1, Math.floor(options.k ?? 20));
  const m = featureNames.length;
  const random = seededRandom(options.seed ?? 0);
  const rows = new Float64Array(k * m);
  featureNames.forEach((name, i) => {
    const p = features[name];
    if (!p || p.type !== 'numeric' || p.mean === undefined) throw new Error(`background: the profile has no numeric feature ${name}`);
    const values = k === 1 ? [p.mean] : Array.from({ length: k }, (_, q) => quantileOf(p, (q + 0.5) / k));
    for (let q = values.length - 1; q > 0; q--) {
      const j = Math.floor(random() * (q + 1));
      [values[q], values[j]] = [values[j]!, values[q]!];
    }
    for (let r = 0; r < k; r++) rows[r * m + i] = values[r]!;
  });
  return { rows, weights: new Float64Array(k).fill(1 / k), size: k, features: m };
}

function quantileOf(p: FeatureProfileLike, q: number): number {
  const edges = p.edges ?? [];
  const counts = p.counts ?? [];
  const total = counts.reduce((a, b) => a + b, 0);
  const lo = p.min ?? edges[0] ?? p.mean!;
  const hi = p.max ?? edges[edges.length - 1] ?? p.mean!;
  if (total === 0 || counts.length === 0) return p.mean!;
  let target = q * total;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    if (target <= c || b === counts.length - 1) {
      if (p.discrete) return b < edges.length ? edges[b]! : hi;
      const left = b === 0 ? lo : edges[b - 1]!;
      const right = b < edges.length ? edges[b]! : hi;
      return c > 0 ? left + (right - left) * Math.min(1, target / c) : left;
    }
    target -= c;
  }
  return hi;
}
