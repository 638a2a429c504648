import { floatsOf, intsOf, stringOf, stringsOf, type OnnxGraph, type OnnxNode } from './onnx-graph.js';

/** How an ensemble turns per-output margins into what the caller sees (`post_transform`). */
export type PostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO' | 'PROBIT';

/** Branch rules of `nodes_modes`, as small integers for the hot loop. */
const Mode = { LEAF: 0, BRANCH_LEQ: 1, BRANCH_LT: 2, BRANCH_GTE: 3, BRANCH_GT: 4, BRANCH_EQ: 5, BRANCH_NEQ: 6 } as const;

/**
 * One decision tree in flat arrays: node `k` tests `feature[k]` against
 * `threshold[k]` with `mode[k]` and goes to `yes[k]` or `no[k]`; a leaf
 * (`mode 0`) adds `leafValues[k * outputs + j]` to output `j`.
 */
export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly mode: Uint8Array;
  readonly yes: Int32Array;
  readonly no: Int32Array;
  /** 1 where a missing (NaN) value follows the `yes` branch. */
  readonly missingYes: Uint8Array;
  readonly leafValues: Float64Array;
}

/**
 * A tree ensemble read from an ONNX `TreeEnsembleRegressor` or
 * `TreeEnsembleClassifier` (ai.onnx.ml): the margin of output `j` is
 * `base[j] + scale · Σ_trees leaf_j`, then `postTransform` applies.
 */
export interface TreeEnsemble {
  readonly kind: 'regressor' | 'classifier';
  readonly trees: readonly Tree[];
  /** Number of margins the trees produce. */
  readonly outputs: number;
  readonly base: Float64Array;
  /** `1/trees` for `AVERAGE` aggregation, else 1. */
  readonly scale: number;
  readonly postTransform: PostTransform;
  /**
   * A binary classifier whose trees score only the positive class: the model
   * outputs two columns `[-m, m]` (then the transform), as ONNX Runtime does.
   */
  readonly binarySingleScore: boolean;
  /** Features the trees read: the ensemble needs at least this many inputs. */
  readonly featureCount: number;
  /** Class labels of a classifier, in output order. */
  readonly classLabels?: readonly (string | number)[];
}

/** Why a graph cannot be explained by TreeSHAP, or the ensemble it holds. */
export type TreeEnsembleReading = { ok: true; ensemble: TreeEnsemble } | { ok: false; reason: string };

const TREE_OPS = new Set(['TreeEnsembleRegressor', 'TreeEnsembleClassifier']);
/** Ops that may follow the ensemble without changing its values (skl2onnx adds Cast/Identity; ZipMap only reshapes). */
const PASS_THROUGH = new Set(['Cast', 'Identity']);

/**
 * Finds the tree ensemble of a graph whose output is the ensemble's, unchanged
 * (only `Cast`/`Identity` after it; a classifier's label output is ignored).
 * Anything else between the input and the ensemble, or after it, means the
 * graph is not (only) a tree ensemble and Kernel SHAP must be used.
 */
export function readTreeEnsemble(graph: OnnxGraph): TreeEnsembleReading {
  const trees = graph.nodes.filter((n) => n.domain === 'ai.onnx.ml' && TREE_OPS.has(n.opType));
  if (trees.length !== 1) return { ok: false, reason: trees.length === 0 ? 'no TreeEnsemble operator in the graph' : 'more than one TreeEnsemble operator' };
  const node = trees[0]!;
  if (graph.inputs.length !== 1 || !isPassThroughChain(graph, graph.inputs[0]!, node.inputs[0]!)) {
    return { ok: false, reason: 'the ensemble does not read the graph input directly' };
  }
  const scoreOut = node.opType === 'TreeEnsembleClassifier' ? node.outputs[1] : node.outputs[0];
  if (!scoreOut) return { ok: false, reason: 'the ensemble has no score output' };
  const reaches = graph.outputs.some((o) => isPassThroughChain(graph, scoreOut, o));
  if (!reaches) return { ok: false, reason: 'the ensemble scores are transformed before the graph output' };
  const aggregate = stringOf(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') return { ok: false, reason: `aggregate_function ${aggregate} is not additive` };
  try {
    return { ok: true, ensemble: buildEnsemble(node, aggregate) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Whether `to` is `from` or reached from it through pass-through nodes only. */
function isPassThroughChain(graph: OnnxGraph, from: string, to: string): boolean {
  let current = to;
  for (let hops = 0; hops < 16; hops++) {
    if (current === from) return true;
    const producer = graph.nodes.find((n) => n.outputs.includes(current));
    if (!producer || !PASS_THROUGH.has(producer.opType) || producer.domain !== '') return false;
    current = producer.inputs[0]!;
  }
  return false;
}

const MODES: Record<string, number> = Mode;

function buildEnsemble(node: OnnxNode, aggregate: string): TreeEnsemble {
  const classifier = node.opType === 'TreeEnsembleClassifier';
  const treeIds = req(intsOf(node, 'nodes_treeids'), 'nodes_treeids');
  const nodeIds = req(intsOf(node, 'nodes_nodeids'), 'nodes_nodeids');
  const featureIds = req(intsOf(node, 'nodes_featureids'), 'nodes_featureids');
  const values = req(floatsOf(node, 'nodes_values'), 'nodes_values');
  const modes = req(stringsOf(node, 'nodes_modes'), 'nodes_modes');
  const yesIds = req(intsOf(node, 'nodes_truenodeids'), 'nodes_truenodeids');
  const noIds = req(intsOf(node, 'nodes_falsenodeids'), 'nodes_falsenodeids');
  const missing = intsOf(node, 'nodes_missing_value_tracks_true') ?? [];
  const p = classifier ? 'class' : 'target';
  const wTree = req(intsOf(node, `${p}_treeids`), `${p}_treeids`);
  const wNode = req(intsOf(node, `${p}_nodeids`), `${p}_nodeids`);
  const wTarget = req(intsOf(node, `${p}_ids`), `${p}_ids`);
  const wValue = req(floatsOf(node, `${p}_weights`), `${p}_weights`);

  let classLabels: (string | number)[] | undefined;
  let outputs: number;
  if (classifier) {
    const ints = intsOf(node, 'classlabels_int64s') ?? [];
    const strs = stringsOf(node, 'classlabels_strings') ?? [];
    classLabels = ints.length > 0 ? [...ints] : [...strs];
    outputs = classLabels.length;
  } else {
    outputs = node.attributes.get('n_targets')?.i ?? Math.max(...wTarget) + 1;
  }
  // ONNX Runtime's binary case: two classes, every weight on one class id → one score column expanded to two.
  const singleColumn = classifier && outputs === 2 && new Set(wTarget).size === 1;
  const margins = singleColumn ? 1 : outputs;

  // Group nodes by tree, indexing each tree's nodes by node id.
  const byTree = new Map<number, number[]>();
  for (let k = 0; k < treeIds.length; k++) {
    const list = byTree.get(treeIds[k]!) ?? [];
    list.push(k);
    byTree.set(treeIds[k]!, list);
  }
  const leafWeights = new Map<string, Array<[number, number]>>();
  for (let k = 0; k < wTree.length; k++) {
    const key = `${wTree[k]}:${wNode[k]}`;
    const list = leafWeights.get(key) ?? [];
    list.push([singleColumn ? 0 : wTarget[k]!, wValue[k]!]);
    leafWeights.set(key, list);
  }
  let featureCount = 0;
  const trees: Tree[] = [];
  for (const [treeId, ks] of [...byTree.entries()].sort((a, b) => a[0] - b[0])) {
    const size = Math.max(...ks.map((k) => nodeIds[k]!)) + 1;
    const t: Tree = {
      feature: new Int32Array(size), threshold: new Float64Array(size), mode: new Uint8Array(size),
      yes: new Int32Array(size), no: new Int32Array(size), missingYes: new Uint8Array(size), leafValues: new Float64Array(size * margins),
    };
    for (const k of ks) {
      const id = nodeIds[k]!;
      const mode = MODES[modes[k]!];
      if (mode === undefined) throw new Error(`unknown node mode ${modes[k]}`);
      t.mode[id] = mode;
      t.feature[id] = featureIds[k]!;
      t.threshold[id] = values[k]!;
      t.yes[id] = yesIds[k]!;
      t.no[id] = noIds[k]!;
      t.missingYes[id] = missing[k] ?? 0;
      if (mode !== Mode.LEAF) featureCount = Math.max(featureCount, featureIds[k]! + 1);
      for (const [target, w] of leafWeights.get(`${treeId}:${id}`) ?? []) t.leafValues[id * margins + target] += w;
    }
    trees.push(t);
  }
  const baseValues = floatsOf(node, 'base_values') ?? [];
  const base = new Float64Array(margins);
  for (let j = 0; j < margins; j++) base[j] = baseValues[j] ?? 0;
  return {
    kind: classifier ? 'classifier' : 'regressor',
    trees,
    outputs: margins,
    base,
    scale: aggregate === 'AVERAGE' ? 1 / trees.length : 1,
    postTransform: stringOf(node, 'post_transform', 'NONE') as PostTransform,
    binarySingleScore: singleColumn,
    featureCount,
    classLabels,
  };
}

function req<T>(v: T | undefined, name: string): T {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new Error(`the ensemble has no ${name}`);
  return v;
}

/** Whether `x` takes the `yes` branch of node `k`. Inputs are compared as the float32 values the model sees. */
export function goesYes(tree: Tree, k: number, x: number): boolean {
  if (Number.isNaN(x)) return tree.missingYes[k] === 1;
  const t = tree.threshold[k]!;
  switch (tree.mode[k]) {
    case Mode.BRANCH_LEQ: return x <= t;
    case Mode.BRANCH_LT: return x < t;
    case Mode.BRANCH_GTE: return x >= t;
    case Mode.BRANCH_GT: return x > t;
    case Mode.BRANCH_EQ: return x === t;
    default: return x !== t;
  }
}

/** The leaf one row reaches. */
export function leafOf(tree: Tree, row: ArrayLike<number>, offset = 0): number {
  let k = 0;
  while (tree.mode[k] !== Mode.LEAF) k = goesYes(tree, k, row[offset + tree.feature[k]!]!) ? tree.yes[k]! : tree.no[k]!;
  return k;
}

export function isLeaf(tree: Tree, k: number): boolean {
  return tree.mode[k] === Mode.LEAF;
}

/** The margins (before the post-transform) of one row, into `out`. */
export function marginsOf(e: TreeEnsemble, row: ArrayLike<number>, offset: number, out: Float64Array): void {
  out.fill(0);
  for (const tree of e.trees) {
    const leaf = leafOf(tree, row, offset) * e.outputs;
    for (let j = 0; j < e.outputs; j++) out[j] += tree.leafValues[leaf + j]!;
  }
  for (let j = 0; j < e.outputs; j++) out[j] = e.base[j]! + e.scale * out[j]!;
}

/** How many values the model reports per row (a binary single-score classifier reports two). */
export function reportedOutputs(e: TreeEnsemble): number {
  return e.binarySingleScore ? 2 : e.outputs;
}

/** Applies the post-transform to one row's margins: the values the caller sees. */
export function transformMargins(e: TreeEnsemble, margins: ArrayLike<number>): number[] {
  const m = e.binarySingleScore ? [-margins[0]!, margins[0]!] : Array.from(margins);
  switch (e.postTransform) {
    case 'NONE': return m;
    case 'LOGISTIC': return m.map(logistic);
    case 'PROBIT': return m.map(probit);
    case 'SOFTMAX': return softmax(m);
    case 'SOFTMAX_ZERO': return softmax(m, true);
  }
}

function logistic(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

function softmax(m: number[], zeroStaysZero = false): number[] {
  const max = Math.max(...m);
  const e = m.map((v) => (zeroStaysZero && v === 0 ? 0 : Math.exp(v - max)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** ONNX Runtime's PROBIT: √2 · erfinv(2p − 1). */
function probit(p: number): number {
  return Math.SQRT2 * erfinv(2 * p - 1);
}

function erfinv(x: number): number {
  const a = 0.147;
  const ln = Math.log(1 - x * x);
  const t = 2 / (Math.PI * a) + ln / 2;
  return Math.sign(x) * Math.sqrt(Math.sqrt(t * t - ln / a) - t);
}
