/** Running count, mean and sum of squared deviations (Welford), mergeable exactly (Chan et al.). */
export type Moments = {
  n: number;
  mean: number;
  m2: number;
};

/** Adds one finite value to `m` in place. */
export function addToMoments(m: Moments, x: number): void {
  m.n += 1;
  const d = x - m.mean;
  m.mean += d / m.n;
  m.m2 += d * (x - m.mean);
}

/** The moments of the union of two samples. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { n: b.n, mean: b.mean, m2: b.m2 };
  if (b.n === 0) return { n: a.n, mean: a.mean, m2: a.m2 };
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  return { n, mean: a.mean + (d * b.n) / n, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n };
}

/** Sample standard deviation; 0 below two values. */
export function stdOf(m: Moments): number {
  return m.n < 2 ? 0 : Math.sqrt(Math.max(0, m.m2) / (m.n - 1));
}
