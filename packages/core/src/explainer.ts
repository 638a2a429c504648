import type { ModelView } from './extension-points.js';
import type { InferenceRequest } from './inference.js';
import type { Tensor } from './tensor.js';

/** Attributions of one row and output: `baseValue + Σ values` is the model's output for that row. */
export interface Explanation {
  readonly output: string;
  readonly baseValue: number;
  /** One value per feature, in `featureNames` order. */
  readonly values: readonly number[];
  readonly featureNames: readonly string[];
  /** The method that produced it (`tree_shap`, `kernel_shap`, `lime` …). */
  readonly method: string;
}

/**
 * Explains the predictions of a model: given a request the model can run,
 * returns per-row feature attributions. `run` evaluates the model on any
 * batch (an explainer calls it for its perturbed rows).
 *
 * @example
 * ```ts
 * const zero: Explainer = { name: 'zero', supports: () => true, explain: async () => [] };
 * ```
 */
export interface Explainer {
  readonly name: string;
  /** Whether this explainer can explain this model. */
  supports(model: ModelView): boolean;
  explain(request: InferenceRequest, model: ModelView, run: (request: InferenceRequest) => Promise<Tensor[]>): Promise<Explanation[][]>;
}
