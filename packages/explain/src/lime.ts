import { applyLink, outputNames, type Attribution, type BatchPredict, type Link } from './attribution.js';
import { meanOf, type Background } from './background.js';
import { weightedLeastSquares } from './linear-algebra.js';
import { drawIndex, seededRandom } from './random.js';

export interface LimeOptions {
  readonly featureNames: readonly string[];
  readonly outputNames?: readonly string[];
  readonly link?: Link;
  /** Perturbed rows per explanation (default 1000; LIME's own default is 5000). */
  readonly samples?: number;
  /** Width of the exponential kernel on standardized distance (default `0.75·√M`, as LIME). */
  readonly kernelWidth?: number;
  /** Ridge penalty on standardized coefficients (default 1, LIME's `Ridge(alpha=1)`). */
  readonly ridge?: number;
  readonly seed?: number;
}

/**
 * Tabular LIME (Ribeiro et al. 2016): perturbed rows draw each feature
 * independently from the reference rows' marginal (so integer and binary
 * features keep valid values), are weighted by the exponential kernel
 * `√exp(−d²/width²)` of their standardized distance to the explained row,
 * and a weighted ridge regression on standardized features is the local
 * surrogate.
 *
 * One departure from LIME, so the output contract holds: the surrogate is
 * anchored at the explained row (regressing `f(z) − f(x)` on `z − x`), so
 * `values_i = c_i·(x_i − mean_i)/std_i` and `baseValue + Σ values = f(x)`
 * exactly; `baseValue` is the surrogate's value at the reference mean and
 * `parameters.score` the surrogate's weighted R² (how far to trust it).
 * LIME is a local surrogate, not Shapley values: use it when teams ask for it.
 */
export async function lime(predict: BatchPredict, rows: ArrayLike<number>, reference: Background, options: LimeOptions): Promise<Attribution[][]> {
  const m = reference.features;
  if (options.featureNames.length !== m) throw new Error(`lime: ${options.featureNames.length} feature names for ${m} features`);
  const n = Math.floor(rows.length / m);
  const link = options.link ?? 'identity';
  const samples = Math.max(m + 2, options.samples ?? 1000);
  const width = options.kernelWidth ?? 0.75 * Math.sqrt(m);
  const ridge = options.ridge ?? 1;
  const mean = meanOf(reference);
  const std = new Float64Array(m);
  for (let b = 0; b < reference.size; b++) {
    for (let i = 0; i < m; i++) std[i]! += reference.weights[b]! * (reference.rows[b * m + i]! - mean[i]!) ** 2;
  }
  for (let i = 0; i < m; i++) std[i] = Math.sqrt(std[i]!);
  const active = [...std.keys()].filter((i) => std[i]! > 0);
  const p = active.length;

  const result: Attribution[][] = [];
  for (let r = 0; r < n; r++) {
    const seed = (options.seed ?? 0) + r;
    const random = seededRandom(seed);
    const batch = new Float32Array(samples * m);
    for (let i = 0; i < m; i++) batch[i] = rows[r * m + i]!;
    for (let s = 1; s < samples; s++) {
      for (let i = 0; i < m; i++) batch[s * m + i] = reference.rows[drawIndex(random, reference.weights) * m + i]!;
    }
    const out = await predict(batch, samples);
    const k = Math.round(out.length / samples);
    const x = batch.subarray(0, m);
    const fx = Array.from({ length: k }, (_, j) => applyLink(link, out[j]!));

    const X = new Float64Array(samples * p);
    const Y = new Float64Array(samples * k);
    const w = new Float64Array(samples);
    for (let s = 0; s < samples; s++) {
      let d2 = 0;
      for (let a = 0; a < p; a++) {
        const i = active[a]!;
        const dz = (batch[s * m + i]! - x[i]!) / std[i]!;
        X[s * p + a] = dz;
        d2 += dz * dz;
      }
      w[s] = Math.sqrt(Math.exp(-d2 / (width * width)));
      for (let j = 0; j < k; j++) Y[s * k + j] = applyLink(link, out[s * k + j]!) - fx[j]!;
    }
    const coef = weightedLeastSquares(X, Y, w, samples, p, k, ridge);
    const columns = outputNames(options.outputNames, k);
    result.push(columns.map((output, j) => {
      const values = new Array<number>(m).fill(0);
      for (let a = 0; a < p; a++) values[active[a]!] = (coef[a * k + j]! * (x[active[a]!]! - mean[active[a]!]!)) / std[active[a]!]!;
      const score = weightedR2(X, Y, w, coef, samples, p, k, j);
      const baseValue = fx[j]! - values.reduce((acc, v) => acc + v, 0);
      return {
        output, outputIndex: j, baseValue, values, featureNames: options.featureNames, method: 'lime' as const, prediction: fx[j]!,
        parameters: { link, samples, kernel_width: width, ridge, seed, score, reference_rows: reference.size },
      };
    }));
  }
  return result;
}

function weightedR2(X: Float64Array, Y: Float64Array, w: Float64Array, coef: Float64Array, rows: number, p: number, k: number, j: number): number {
  let sw = 0;
  let mean = 0;
  for (let s = 0; s < rows; s++) { sw += w[s]!; mean += w[s]! * Y[s * k + j]!; }
  mean /= sw;
  let ssRes = 0;
  let ssTot = 0;
  for (let s = 0; s < rows; s++) {
    let fit = 0;
    for (let a = 0; a < p; a++) fit += X[s * p + a]! * coef[a * k + j]!;
    ssRes += w[s]! * (Y[s * k + j]! - fit) ** 2;
    ssTot += w[s]! * (Y[s * k + j]! - mean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : 1;
}
