import { floatsOf, intsOf, stringOf, type OnnxGraph } from './onnx-graph.js';

/**
 * The raw score of a linear model read from its ONNX graph: `margin_c = b_c + Σ_i w_ci·x_i`
 * per class `c` (`LinearClassifier` / `LinearRegressor`, with a preceding `Scaler` folded in:
 * `w·((x − offset)·scale) = (w·scale)·x − w·scale·offset`).
 */
export interface LinearScore {
  /** `classes × features`, row-major. */
  readonly coefficients: Float64Array;
  readonly intercepts: Float64Array;
  readonly classes: number;
  readonly features: number;
  readonly postTransform: string;
}

/** Reads the linear score of a graph `input → [Scaler] → Linear* → [Normalizer/Cast/ZipMap]`, or undefined. */
export function readLinearScore(graph: OnnxGraph): LinearScore | undefined {
  const node = graph.nodes.find((n) => n.domain === 'ai.onnx.ml' && (n.opType === 'LinearClassifier' || n.opType === 'LinearRegressor'));
  if (!node) return undefined;
  const coefficients = Float64Array.from(floatsOf(node, 'coefficients') ?? []);
  const intercepts = Float64Array.from(floatsOf(node, 'intercepts') ?? []);
  const classes = node.opType === 'LinearRegressor'
    ? node.attributes.get('targets')?.i ?? 1
    : Math.max(intsOf(node, 'classlabels_ints')?.length ?? 0, node.attributes.get('classlabels_strings')?.strings.length ?? 0);
  if (classes === 0 || coefficients.length % classes !== 0) return undefined;
  const features = coefficients.length / classes;
  const scaler = graph.nodes.find((n) => n.outputs.includes(node.inputs[0]!) && n.opType === 'Scaler');
  if (scaler) {
    const offset = floatsOf(scaler, 'offset') ?? [];
    const scale = floatsOf(scaler, 'scale') ?? [];
    for (let c = 0; c < classes; c++) {
      for (let i = 0; i < features; i++) {
        const s = scale.length === 1 ? scale[0]! : scale[i] ?? 1;
        const o = offset.length === 1 ? offset[0]! : offset[i] ?? 0;
        coefficients[c * features + i]! *= s;
        intercepts[c] = (intercepts[c] ?? 0) - coefficients[c * features + i]! * o;
      }
    }
  }
  return { coefficients, intercepts: intercepts.length ? intercepts : new Float64Array(classes), classes, features, postTransform: stringOf(node, 'post_transform', 'NONE') };
}
