import { applyLink, outputNames, type Attribution, type BatchPredict, type Link } from './attribution.js';
import type { Background } from './background.js';
import { allCoalitions, sampledCoalitions, type Coalitions } from './coalitions.js';
import { weightedLeastSquares } from './linear-algebra.js';
import { seededRandom } from './random.js';

export interface KernelShapOptions {
  readonly featureNames: readonly string[];
  /** Names of the model's output columns (default `output[j]`). */
  readonly outputNames?: readonly string[];
  /** `logit` explains `log(p/(1−p))` of the background-averaged output, as shap's `link="logit"`. Default identity. */
  readonly link?: Link;
  /** Coalitions to evaluate when sampling (default `2M + 2048`, M the features that vary). */
  readonly samples?: number;
  /** A hard cap on coalitions, from the caller's time budget (default: none). */
  readonly maxSamples?: number;
  /** Enumerate every coalition when at most this many features vary (default 12: 4 094 coalitions). */
  readonly exactMaxFeatures?: number;
  /** Seed of the coalition sampler (default 0): the same seed gives the same attributions. */
  readonly seed?: number;
}

/**
 * Kernel SHAP (Lundberg & Lee 2017), following shap's `KernelExplainer`: the
 * value of a coalition S is the model's output averaged over the weighted
 * background with the features in S taken from the explained row; the
 * attributions solve the Shapley-kernel weighted least squares with the
 * efficiency constraint `Σ φ = g(f(x)) − g(E[f])` imposed exactly (the last
 * varying feature is eliminated), so local accuracy holds whether coalitions
 * are enumerated (exact Shapley values) or sampled. Features equal to the
 * explained row in every background row get 0 and are left out of the game,
 * as in shap. No L1 feature selection is applied.
 *
 * Per explained row, every coalition × background row is evaluated in one
 * `predict` call; one more call evaluates the background and the rows.
 */
export async function kernelShap(predict: BatchPredict, rows: ArrayLike<number>, background: Background, options: KernelShapOptions): Promise<Attribution[][]> {
  const m = background.features;
  if (options.featureNames.length !== m) throw new Error(`kernelShap: ${options.featureNames.length} feature names for ${m} features`);
  const n = Math.floor(rows.length / m);
  const link = options.link ?? 'identity';
  const B = background.size;

  // One call for the background and the explained rows: E[f] and f(x).
  const first = new Float32Array((B + n) * m);
  for (let i = 0; i < B * m; i++) first[i] = background.rows[i]!;
  for (let i = 0; i < n * m; i++) first[B * m + i] = rows[i]!;
  const firstOut = await predict(first, B + n);
  const k = Math.round(firstOut.length / (B + n));
  const fnull = new Float64Array(k);
  for (let b = 0; b < B; b++) for (let j = 0; j < k; j++) fnull[j]! += background.weights[b]! * firstOut[b * k + j]!;
  const columns = outputNames(options.outputNames, k);
  const baseValues = Array.from(fnull, (v) => applyLink(link, v));

  const result: Attribution[][] = [];
  for (let r = 0; r < n; r++) {
    const x = first.subarray((B + r) * m, (B + r + 1) * m);
    const fx = Array.from({ length: k }, (_, j) => applyLink(link, firstOut[(B + r) * k + j]!));
    const varying = varyingFeatures(x, background);
    const { phi, parameters } = await explainRow(predict, x, fx, baseValues, varying, background, k, link, options, r);
    result.push(columns.map((output, j) => ({
      output,
      outputIndex: j,
      baseValue: baseValues[j]!,
      values: Array.from(phi[j]!),
      featureNames: options.featureNames,
      method: 'kernel_shap' as const,
      prediction: fx[j]!,
      parameters,
    })));
  }
  return result;
}

/** Features where some background row differs from x (as float32, the model's view). */
function varyingFeatures(x: Float32Array, bg: Background): number[] {
  const out: number[] = [];
  for (let i = 0; i < bg.features; i++) {
    for (let b = 0; b < bg.size; b++) {
      if (Math.fround(bg.rows[b * bg.features + i]!) !== x[i]) { out.push(i); break; }
    }
  }
  return out;
}

async function explainRow(
  predict: BatchPredict, x: Float32Array, fx: number[], base: number[], varying: number[], bg: Background,
  k: number, link: Link, options: KernelShapOptions, row: number,
): Promise<{ phi: Float64Array[]; parameters: Record<string, string | number | boolean> }> {
  const m = bg.features;
  const M = varying.length;
  const phi = Array.from({ length: k }, () => new Float64Array(m));
  const common = { link, background_rows: bg.size, varying_features: M };
  if (M === 0) return { phi, parameters: { ...common, coalitions: 0, exact: true } };
  if (M === 1) {
    for (let j = 0; j < k; j++) phi[j]![varying[0]!] = fx[j]! - base[j]!;
    return { phi, parameters: { ...common, coalitions: 0, exact: true } };
  }
  const exactMax = options.exactMaxFeatures ?? 12;
  const seed = (options.seed ?? 0) + row;
  let coalitions: Coalitions;
  if (M <= exactMax) coalitions = allCoalitions(M);
  else {
    let samples = options.samples ?? 2 * M + 2048;
    if (options.maxSamples !== undefined) samples = Math.min(samples, options.maxSamples);
    if (M <= 30) samples = Math.min(samples, 2 ** M - 2);
    coalitions = sampledCoalitions(M, Math.max(2, samples), seededRandom(seed));
  }

  // Every coalition over every background row, one batch.
  const S = coalitions.count;
  const batch = new Float32Array(S * bg.size * m);
  for (let s = 0; s < S; s++) {
    for (let b = 0; b < bg.size; b++) {
      const o = (s * bg.size + b) * m;
      for (let i = 0; i < m; i++) batch[o + i] = bg.rows[b * m + i]!;
      for (let v = 0; v < M; v++) if (coalitions.masks[s * M + v]) batch[o + varying[v]!] = x[varying[v]!]!;
    }
  }
  const out = await predict(batch, S * bg.size);

  // Constrained WLS: eliminate the last varying feature with Σφ = g(f(x)) − g(E f).
  const X = new Float64Array(S * (M - 1));
  const Y = new Float64Array(S * k);
  for (let s = 0; s < S; s++) {
    const last = coalitions.masks[s * M + M - 1]!;
    for (let v = 0; v < M - 1; v++) X[s * (M - 1) + v] = coalitions.masks[s * M + v]! - last;
    for (let j = 0; j < k; j++) {
      let ey = 0;
      for (let b = 0; b < bg.size; b++) ey += bg.weights[b]! * out[(s * bg.size + b) * k + j]!;
      Y[s * k + j] = applyLink(link, ey) - base[j]! - last * (fx[j]! - base[j]!);
    }
  }
  const beta = weightedLeastSquares(X, Y, coalitions.weights, S, M - 1, k);
  for (let j = 0; j < k; j++) {
    let sum = 0;
    for (let v = 0; v < M - 1; v++) {
      phi[j]![varying[v]!] = beta[v * k + j]!;
      sum += beta[v * k + j]!;
    }
    phi[j]![varying[M - 1]!] = fx[j]! - base[j]! - sum;
  }
  return { phi, parameters: { ...common, coalitions: S, exact: coalitions.exact, model_rows: S * bg.size, ...(coalitions.exact ? {} : { seed }) } };
}
