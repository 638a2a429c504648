/** The shapes every explanation method shares. */

/** Explanation methods this package implements. */
export type ExplanationMethod = 'tree_shap' | 'kernel_shap' | 'lime';

/**
 * Evaluates the model on `n` rows laid out row-major in `rows` (`n × features`
 * float32, as the model takes them) and resolves to `n × outputs` numbers,
 * row-major. Explainers call it once per explanation with every perturbed row,
 * so one call is one batched model run.
 */
export type BatchPredict = (rows: Float32Array, n: number) => Promise<ArrayLike<number>>;

/** A plain parameter value reported with an explanation (JSON-safe). */
export type ParameterValue = string | number | boolean;

/**
 * Feature attributions of one row for one model output:
 * `baseValue + Σ values === prediction` (local accuracy) on the explained scale.
 */
export interface Attribution {
  /** Name of the explained output (`probabilities[1]`, a class label, `prediction` …). */
  readonly output: string;
  /** Index of the explained output column. */
  readonly outputIndex: number;
  /** The expected output over the background (SHAP) or the surrogate's value at the reference mean (LIME). */
  readonly baseValue: number;
  /** One value per feature, in `featureNames` order. */
  readonly values: readonly number[];
  readonly featureNames: readonly string[];
  readonly method: ExplanationMethod;
  /** The model's output for the row on the explained scale (after the link, if any). */
  readonly prediction: number;
  /** How it was computed: link, coalitions, background size, seed, exactness … */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
}

/** The JSON shape of an attribution on the wire (`POST …:explain`). */
export interface AttributionJson {
  output: string;
  base_value: number;
  values: number[];
  feature_names: string[];
  method: ExplanationMethod;
  prediction: number;
  parameters: Record<string, ParameterValue>;
}

/** The wire form of an attribution. */
export function attributionToJson(a: Attribution): AttributionJson {
  return {
    output: a.output,
    base_value: a.baseValue,
    values: [...a.values],
    feature_names: [...a.featureNames],
    method: a.method,
    prediction: a.prediction,
    parameters: { ...a.parameters },
  };
}

/** Names for output columns: given ones, else `prefix[j]` (just `prefix` for a single column). */
export function outputNames(given: readonly string[] | undefined, count: number, prefix = 'output'): string[] {
  return Array.from({ length: count }, (_, j) => given?.[j] ?? (count === 1 ? prefix : `${prefix}[${j}]`));
}

/** How model outputs are mapped before attribution (shap's `link`). */
export type Link = 'identity' | 'logit';

/** Applies a link to a model output; probabilities are clipped away from 0 and 1 so logit stays finite. */
export function applyLink(link: Link, v: number): number {
  if (link === 'identity') return v;
  const p = Math.min(1 - 1e-15, Math.max(1e-15, v));
  return Math.log(p / (1 - p));
}
