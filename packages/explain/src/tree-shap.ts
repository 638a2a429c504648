import { outputNames, type Attribution } from './attribution.js';
import type { Background } from './background.js';
import { shapleyFromCoalitionValues } from './shapley.js';
import { goesYes, isLeaf, marginsOf, reportedOutputs, transformMargins, type Tree, type TreeEnsemble } from './tree-ensemble.js';

/** What TreeSHAP attributes: the values the caller sees, or the raw margins before the post-transform. */
export type TreeShapOutput = 'probability' | 'margin';

export interface TreeShapOptions {
  readonly featureNames: readonly string[];
  /** Names of the model's output columns (default: class labels, else `output[j]`). */
  readonly outputNames?: readonly string[];
  /**
   * `probability` (default): the model's outputs as the caller sees them,
   * after the post-transform. `margin`: the raw scores before it.
   */
  readonly output?: TreeShapOutput;
  /**
   * With a non-linear post-transform, the transformed output is explained
   * exactly by enumerating all 2^M coalitions (on the ensemble evaluated
   * here, not on the runtime) up to this many features (default 12); beyond
   * it the margin is explained and `parameters.output` says so.
   */
  readonly exactTransformMaxFeatures?: number;
}

/**
 * Exact interventional TreeSHAP (Lundberg et al. 2020, "From local
 * explanations to global understanding", the independent/interventional
 * algorithm): for each background row `z`, the Shapley values of
 * `v(S) = f(x_S, z_S̄)` are computed exactly by walking each tree once,
 * splitting only where `x` and `z` take different branches; they are averaged
 * over the weighted background. Cost: O(trees × leaves × depth) per
 * background row. Node cover counts are not needed (skl2onnx writes none).
 *
 * Rows are given row-major (`rows.length = n × features`). Returns one
 * attribution per row and per output column; `baseValue + Σ values` equals
 * the ensemble's output for the row to float64 round-off.
 */
export function treeShap(e: TreeEnsemble, rows: ArrayLike<number>, background: Background, options: TreeShapOptions): Attribution[][] {
  const m = background.features;
  if (options.featureNames.length !== m) throw new Error(`treeShap: ${options.featureNames.length} feature names for ${m} features`);
  if (e.featureCount > m) throw new Error(`treeShap: the trees read ${e.featureCount} features, the background has ${m}`);
  const n = Math.floor(rows.length / m);
  const reported = reportedOutputs(e);
  const names = options.outputNames ?? (e.classLabels ? e.classLabels.map(String) : undefined);
  const columns = outputNames(names, reported, e.kind === 'regressor' && reported === 1 ? 'prediction' : 'output');
  const wantProbability = (options.output ?? 'probability') === 'probability' && e.postTransform !== 'NONE';
  const exactMax = options.exactTransformMaxFeatures ?? 12;
  const transformed = wantProbability && m <= exactMax;
  const bg = roundedToFloat32(background.rows);
  const result: Attribution[][] = [];
  for (let r = 0; r < n; r++) {
    const x = roundedToFloat32(Array.from({ length: m }, (_, i) => rows[r * m + i]!));
    const { base, phi, prediction } = transformed ? transformedShap(e, x, bg, background.weights, m) : marginShap(e, x, bg, background.weights, m);
    const parameters = {
      algorithm: transformed ? 'interventional_exhaustive' : 'interventional',
      output: transformed ? 'probability' : e.postTransform === 'NONE' ? 'raw' : 'margin',
      post_transform: e.postTransform,
      background_rows: background.size,
      trees: e.trees.length,
      ...(wantProbability && !transformed ? { note: `more than ${exactMax} features: the margin before ${e.postTransform} is explained` } : {}),
    };
    result.push(columns.map((output, j) => ({
      output,
      outputIndex: j,
      baseValue: base[j]!,
      values: Array.from(phi[j]!),
      featureNames: options.featureNames,
      method: 'tree_shap' as const,
      prediction: prediction[j]!,
      parameters,
    })));
  }
  return result;
}

function roundedToFloat32(v: ArrayLike<number>): Float64Array {
  return Float64Array.from(v, (x) => Math.fround(x));
}

type RowShap = { base: number[]; phi: Float64Array[]; prediction: number[] };

/** Interventional SHAP of the margins, one tree walk per (tree, background row). */
function marginShap(e: TreeEnsemble, x: Float64Array, bg: Float64Array, weights: Float64Array, m: number): RowShap {
  const k = e.outputs;
  const phi = Array.from({ length: k }, () => new Float64Array(m));
  const baseMargins = new Float64Array(k);
  const scratch = new Float64Array(k);
  const walker = new PathWalker(m, k, phi);
  for (let b = 0; b < weights.length; b++) {
    const z = bg.subarray(b * m, (b + 1) * m);
    marginsOf(e, z, 0, scratch);
    for (let j = 0; j < k; j++) baseMargins[j]! += weights[b]! * scratch[j]!;
    walker.weight = weights[b]! * e.scale;
    for (const tree of e.trees) walker.walk(tree, x, z, 0);
  }
  const xMargins = new Float64Array(k);
  marginsOf(e, x, 0, xMargins);
  if (!e.binarySingleScore) return { base: Array.from(baseMargins), phi, prediction: Array.from(xMargins) };
  // Column 0 is the negated margin: its attributions are the negated ones.
  return {
    base: [-baseMargins[0]!, baseMargins[0]!],
    phi: [phi[0]!.map((v) => -v), phi[0]!],
    prediction: [-xMargins[0]!, xMargins[0]!],
  };
}

/** W(a, b) = a! b! / (a + b + 1)!: the Shapley weight of a leaf reached iff `a+1` features come from x and `b` from z. */
function leafWeightTable(m: number): Float64Array[] {
  const t = Array.from({ length: m + 1 }, () => new Float64Array(m + 1));
  const lf = [0];
  for (let i = 1; i <= 2 * m + 2; i++) lf.push(lf[i - 1]! + Math.log(i));
  for (let a = 0; a <= m; a++) for (let b = 0; a + b <= m; b++) t[a]![b] = Math.exp(lf[a]! + lf[b]! - lf[a + b + 1]!);
  return t;
}

/**
 * One walk of a tree for a (foreground x, background z) pair. A leaf reached
 * when the features in A come from x and those in B from z (others free) is
 * the game `v·1[A ⊆ S, B ∩ S = ∅]`, whose Shapley values are
 * `v·(|A|−1)!|B|!/(|A|+|B|)!` for i ∈ A and `−v·|A|!(|B|−1)!/(|A|+|B|)!` for i ∈ B.
 */
class PathWalker {
  weight = 1;
  private readonly owner: Int8Array;
  private readonly pathFeatures: Int32Array;
  private depth = 0;
  private fromX = 0;
  private fromZ = 0;
  private readonly w: Float64Array[];

  constructor(m: number, private readonly outputs: number, private readonly phi: Float64Array[]) {
    this.owner = new Int8Array(m);
    this.pathFeatures = new Int32Array(m);
    this.w = leafWeightTable(m);
  }

  walk(tree: Tree, x: Float64Array, z: Float64Array, k: number): void {
    if (isLeaf(tree, k)) {
      this.leaf(tree, k);
      return;
    }
    const f = tree.feature[k]!;
    const xYes = goesYes(tree, k, x[f]!);
    const owner = this.owner[f]!;
    if (owner === 1) return this.walk(tree, x, z, xYes ? tree.yes[k]! : tree.no[k]!);
    const zYes = goesYes(tree, k, z[f]!);
    if (owner === 2) return this.walk(tree, x, z, zYes ? tree.yes[k]! : tree.no[k]!);
    if (xYes === zYes) return this.walk(tree, x, z, xYes ? tree.yes[k]! : tree.no[k]!);
    this.pathFeatures[this.depth++] = f;
    this.owner[f] = 1;
    this.fromX++;
    this.walk(tree, x, z, xYes ? tree.yes[k]! : tree.no[k]!);
    this.fromX--;
    this.owner[f] = 2;
    this.fromZ++;
    this.walk(tree, x, z, zYes ? tree.yes[k]! : tree.no[k]!);
    this.fromZ--;
    this.owner[f] = 0;
    this.depth--;
  }

  private leaf(tree: Tree, k: number): void {
    if (this.depth === 0) return; // x and z agree on this leaf: it adds nothing to any attribution
    const a = this.fromX;
    const b = this.fromZ;
    const wx = a > 0 ? this.w[a - 1]![b]! * this.weight : 0;
    const wz = b > 0 ? this.w[a]![b - 1]! * this.weight : 0;
    for (let j = 0; j < this.outputs; j++) {
      const v = tree.leafValues[k * this.outputs + j]!;
      if (v === 0) continue;
      const phi = this.phi[j]!;
      for (let d = 0; d < this.depth; d++) {
        const f = this.pathFeatures[d]!;
        phi[f]! += this.owner[f] === 1 ? v * wx : -v * wz;
      }
    }
  }
}

/**
 * Interventional SHAP of the transformed outputs, exactly: the ensemble is
 * evaluated here on `x_S` over every background row for all 2^M coalitions,
 * transformed, averaged, and combined with the Shapley weights.
 */
function transformedShap(e: TreeEnsemble, x: Float64Array, bg: Float64Array, weights: Float64Array, m: number): RowShap {
  const reported = reportedOutputs(e);
  const coalitions = 1 << m;
  const values = new Float64Array(coalitions * reported);
  const row = new Float64Array(m);
  const margins = new Float64Array(e.outputs);
  for (let b = 0; b < weights.length; b++) {
    const z = bg.subarray(b * m, (b + 1) * m);
    for (let s = 0; s < coalitions; s++) {
      for (let i = 0; i < m; i++) row[i] = (s >> i) & 1 ? x[i]! : z[i]!;
      marginsOf(e, row, 0, margins);
      const out = transformMargins(e, margins);
      for (let j = 0; j < reported; j++) values[s * reported + j]! += weights[b]! * out[j]!;
    }
  }
  const phi = shapleyFromCoalitionValues(values, m, reported);
  const base = Array.from({ length: reported }, (_, j) => values[j]!);
  const prediction = Array.from({ length: reported }, (_, j) => values[(coalitions - 1) * reported + j]!);
  return { base, phi, prediction };
}
