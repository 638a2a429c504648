/**
 * Reference bins for numeric values: equal-frequency cut points, deduplicated, or one bin per
 * distinct value for discrete features.
 */

/** The bin of `x` for interior cut points `edges` (bin i is `(edges[i-1], edges[i]]`). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Quantile `q` of an ascending array by linear interpolation (type 7, as numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Cut points for `bins` equal-frequency bins over an ascending sample. When the sample has at
 * most `bins` distinct values (integer counts, flags, gray levels), every distinct value gets its
 * own bin (`discrete: true`); otherwise the cut points are the k/B sample quantiles, with repeats
 * removed (a value holding more than 1/B of the mass, such as a cap, becomes one wide bin).
 */
export function equalFrequencyEdges(sorted: ArrayLike<number>, bins: number): { edges: number[]; discrete: boolean } {
  const n = sorted.length;
  if (n === 0) return { edges: [], discrete: false };
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = sorted[i]!;
    if (distinct.length === 0 || distinct[distinct.length - 1] !== x) {
      distinct.push(x);
      if (distinct.length > bins) break;
    }
  }
  if (distinct.length <= bins) return { edges: distinct.slice(0, -1), discrete: true };
  const max = sorted[n - 1]!;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const cut = sorted[Math.max(0, Math.ceil((k * n) / bins) - 1)]!;
    if (cut < max && (edges.length === 0 || cut > edges[edges.length - 1]!)) edges.push(cut);
  }
  return { edges, discrete: false };
}

/** Counts of `values` per bin of `edges`. */
export function countBins(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i]!)]! += 1;
  return counts;
}
