/**
 * The statistical tests and effect sizes the drift verdict is made of. All work on two count
 * vectors over the same cells: the reference's and the window's.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

/** Upper-tail probability of a χ² statistic with `df` degrees of freedom. */
export function chiSquarePValue(statistic: number, df: number): number {
  if (!(df > 0) || !Number.isFinite(statistic)) return 1;
  return Math.min(1, Math.max(0, 1 - chisquareCdf(statistic, df)));
}

/**
 * Pearson χ² test of homogeneity on the 2×K contingency table (reference counts, window counts):
 * both rows are samples, so the test stays calibrated whatever the ratio of window to reference
 * size (a goodness-of-fit test that takes reference proportions as exact does not; MONITORING.md §1.2).
 * Cells empty in both rows are dropped. Callers merge sparse cells first (expected count ≥ 5).
 */
export function chiSquareHomogeneity(reference: readonly number[], current: readonly number[]): { statistic: number; df: number; p_value: number } {
  let n = 0;
  let m = 0;
  for (let i = 0; i < reference.length; i++) {
    n += reference[i]!;
    m += current[i]!;
  }
  const total = n + m;
  let statistic = 0;
  let cells = 0;
  if (n > 0 && m > 0) {
    for (let i = 0; i < reference.length; i++) {
      const col = reference[i]! + current[i]!;
      if (col === 0) continue;
      cells += 1;
      const er = (n * col) / total;
      const ec = (m * col) / total;
      statistic += (reference[i]! - er) ** 2 / er + (current[i]! - ec) ** 2 / ec;
    }
  }
  const df = Math.max(0, cells - 1);
  return { statistic, df, p_value: chiSquarePValue(statistic, df) };
}

/** Proportions with a Jeffreys ½ pseudo-count per cell, so empty cells give finite logs. */
function jeffreys(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0) + 0.5 * counts.length;
  return counts.map((c) => (c + 0.5) / total);
}

/** Population stability index Σ (q−p)·ln(q/p) with Jeffreys pseudo-counts. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const p = jeffreys(reference);
  const q = jeffreys(current);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (q[i]! - p[i]!) * Math.log(q[i]! / p[i]!);
  return s;
}

/** Jensen–Shannon distance with log base 2, in [0, 1]. */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const sr = reference.reduce((s, c) => s + c, 0);
  const sc = current.reduce((s, c) => s + c, 0);
  if (sr === 0 || sc === 0) return 0;
  let js = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / sr;
    const q = current[i]! / sc;
    const mid = (p + q) / 2;
    if (p > 0) js += 0.5 * p * Math.log2(p / mid);
    if (q > 0) js += 0.5 * q * Math.log2(q / mid);
  }
  return Math.sqrt(Math.max(0, js));
}

/** Largest absolute change of a cell's share, in [0, 1]. */
export function lInfinity(reference: readonly number[], current: readonly number[]): number {
  const sr = reference.reduce((s, c) => s + c, 0);
  const sc = current.reduce((s, c) => s + c, 0);
  if (sr === 0 || sc === 0) return 0;
  let d = 0;
  for (let i = 0; i < reference.length; i++) d = Math.max(d, Math.abs(reference[i]! / sr - current[i]! / sc));
  return d;
}

/** Kolmogorov–Smirnov D computed from the cumulative bin shares (a lower bound of the exact D). */
export function ksFromBins(reference: readonly number[], current: readonly number[]): number {
  const sr = reference.reduce((s, c) => s + c, 0);
  const sc = current.reduce((s, c) => s + c, 0);
  if (sr === 0 || sc === 0) return 0;
  let fr = 0;
  let fc = 0;
  let d = 0;
  for (let i = 0; i < reference.length; i++) {
    fr += reference[i]! / sr;
    fc += current[i]! / sc;
    d = Math.max(d, Math.abs(fr - fc));
  }
  return d;
}

/**
 * Holm's step-down adjustment: controls the family-wise error rate at α for any dependence
 * between the tests. Returns adjusted p-values in the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Two-sided p-value of a standard normal statistic. */
export function normalTwoSidedP(z: number): number {
  return chiSquarePValue(z * z, 1);
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson score interval for `successes` of `n` at the given confidence. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
