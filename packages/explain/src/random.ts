/** Sampling helpers for explanations, on the monitor's seeded PRNG: every sampled explanation is reproducible from its seed. */
import type { Random } from '@ponte/monitor';

export { seededRandom, normal, type Random } from '@ponte/monitor';

/** An index drawn from a discrete distribution with probabilities `p` (summing to 1). */
export function drawIndex(random: Random, p: ArrayLike<number>): number {
  let u = random();
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}

/** `k` distinct indices of `0..n-1`, uniformly (partial Fisher–Yates into `scratch`). */
export function sampleIndices(random: Random, n: number, k: number, scratch: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = t;
  }
  return scratch.subarray(0, k);
}
