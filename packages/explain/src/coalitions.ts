import { drawIndex, sampleIndices, type Random } from './random.js';

/**
 * Coalitions of Kernel SHAP: `masks[s·m + i] = 1` when feature i is taken
 * from the explained row in coalition s, with its kernel weight. The empty
 * and full coalitions are never listed: the efficiency constraint pins them.
 */
export interface Coalitions {
  readonly masks: Uint8Array;
  readonly weights: Float64Array;
  readonly count: number;
  /** True when every coalition was enumerated (the result is exact Shapley values). */
  readonly exact: boolean;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Calls `visit` with every subset of size `size` of `0..m-1`. */
function forEachSubset(m: number, size: number, visit: (members: readonly number[]) => void): void {
  const members: number[] = [];
  const rec = (start: number): void => {
    if (members.length === size) { visit(members); return; }
    for (let i = start; i <= m - (size - members.length); i++) {
      members.push(i);
      rec(i + 1);
      members.pop();
    }
  };
  rec(0);
}

class CoalitionSet {
  readonly masks: number[][] = [];
  readonly weights: number[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly m: number) {}

  /** Adds a mask; a repeated mask adds its weight to the first one. Returns true when new. */
  add(mask: Uint8Array, weight: number): boolean {
    const key = mask.join('');
    const at = this.index.get(key);
    if (at !== undefined) {
      this.weights[at]! += weight;
      return false;
    }
    this.index.set(key, this.masks.length);
    this.masks.push(Array.from(mask));
    this.weights.push(weight);
    return true;
  }

  build(exact: boolean): Coalitions {
    const count = this.masks.length;
    const masks = new Uint8Array(count * this.m);
    this.masks.forEach((mask, s) => masks.set(mask, s * this.m));
    return { masks, weights: Float64Array.from(this.weights), count, exact };
  }
}

/** Every coalition of `m` features with the Shapley kernel weight `(m−1) / (C(m,|S|)·|S|·(m−|S|))`. */
export function allCoalitions(m: number): Coalitions {
  const set = new CoalitionSet(m);
  const mask = new Uint8Array(m);
  for (let size = 1; size < m; size++) {
    const w = (m - 1) / (binomial(m, size) * size * (m - size));
    forEachSubset(m, size, (members) => {
      mask.fill(0);
      for (const i of members) mask[i] = 1;
      set.add(mask, w);
    });
  }
  return set.build(true);
}

/**
 * shap's KernelExplainer coalition plan for `samples` coalitions: subset sizes
 * are taken in order from the smallest (with their complements, "paired")
 * and enumerated completely while the budget covers a size's share of the
 * Shapley kernel; the rest of the budget is sampled — sizes drawn by the
 * remaining kernel mass, members uniformly, each with its complement — and
 * the sampled weights are rescaled to that remaining mass.
 */
export function sampledCoalitions(m: number, samples: number, random: Random): Coalitions {
  const numSubsetSizes = Math.ceil((m - 1) / 2);
  const numPaired = Math.floor((m - 1) / 2);
  const weightVector = Array.from({ length: numSubsetSizes }, (_, i) => (m - 1) / ((i + 1) * (m - i - 1)));
  for (let i = 0; i < numPaired; i++) weightVector[i]! *= 2;
  normalise(weightVector);

  const set = new CoalitionSet(m);
  const mask = new Uint8Array(m);
  let samplesLeft = samples;
  let numFull = 0;
  let remaining = [...weightVector];
  for (let i = 0; i < numSubsetSizes; i++) {
    const size = i + 1;
    const paired = size <= numPaired;
    const nsubsets = binomial(m, size) * (paired ? 2 : 1);
    if ((samplesLeft * remaining[i]!) / nsubsets < 1 - 1e-8) break;
    numFull++;
    samplesLeft -= nsubsets;
    if (remaining[i]! < 1) {
      const left = 1 - remaining[i]!;
      remaining = remaining.map((v) => v / left);
    }
    const w = weightVector[i]! / binomial(m, size) / (paired ? 2 : 1);
    forEachSubset(m, size, (members) => {
      mask.fill(0);
      for (const k of members) mask[k] = 1;
      set.add(mask, w);
      if (paired) {
        for (let k = 0; k < m; k++) mask[k] = 1 - mask[k]!;
        set.add(mask, w);
      }
    });
  }
  const fixed = set.masks.length;
  if (numFull === numSubsetSizes || samplesLeft <= 0) return set.build(numFull === numSubsetSizes);

  const sizeWeights = [...weightVector];
  for (let i = 0; i < numPaired; i++) sizeWeights[i]! /= 2;
  const p = normalise(sizeWeights.slice(numFull));
  const scratch = new Int32Array(m);
  // Draws are capped (4× the budget, as shap) so a budget larger than the distinct coalitions still ends.
  for (let draws = 4 * samplesLeft; samplesLeft > 0 && draws > 0; draws--) {
    const size = drawIndex(random, p) + numFull + 1;
    mask.fill(0);
    for (const k of sampleIndices(random, m, size, scratch)) mask[k] = 1;
    if (set.add(mask, 1)) samplesLeft--;
    if (samplesLeft > 0 && size <= numPaired) {
      for (let k = 0; k < m; k++) mask[k] = 1 - mask[k]!;
      if (set.add(mask, 1)) samplesLeft--;
    }
  }
  const weightLeft = weightVector.slice(numFull).reduce((a, b) => a + b, 0);
  let sampledTotal = 0;
  for (let s = fixed; s < set.weights.length; s++) sampledTotal += set.weights[s]!;
  for (let s = fixed; s < set.weights.length; s++) set.weights[s] = (set.weights[s]! * weightLeft) / sampledTotal;
  return set.build(false);
}

function normalise(v: number[]): number[] {
  const s = v.reduce((a, b) => a + b, 0);
  for (let i = 0; i < v.length; i++) v[i]! /= s;
  return v;
}
