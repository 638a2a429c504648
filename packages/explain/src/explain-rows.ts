import type { Attribution, BatchPredict, ExplanationMethod, Link } from './attribution.js';
import { summariseBackground, type Background } from './background.js';
import { kernelShap } from './kernel-shap.js';
import { lime } from './lime.js';
import type { OnnxGraph } from './onnx-graph.js';
import { readTreeEnsemble, type TreeEnsemble } from './tree-ensemble.js';
import { treeShap, type TreeShapOutput } from './tree-shap.js';

/** Per-model explanation settings (`models[].explain` in config). */
export interface ExplainSettings {
  /** `auto` (default): TreeSHAP when the graph is a tree ensemble, Kernel SHAP otherwise. */
  readonly method?: ExplanationMethod | 'auto';
  /** Background centroids kept from the reference rows (default 20). */
  readonly background?: number;
  /** Kernel SHAP coalitions when sampling / LIME perturbations. */
  readonly samples?: number;
  readonly maxSamples?: number;
  readonly link?: Link;
  /** TreeSHAP: explain the post-transformed output (default) or the raw margin. */
  readonly output?: TreeShapOutput;
  readonly seed?: number;
}

/** The method a model gets, and why. */
export interface MethodChoice {
  readonly method: ExplanationMethod;
  readonly ensemble?: TreeEnsemble;
  /** Why TreeSHAP was not chosen, when it was not. */
  readonly reason?: string;
}

/** Chooses the method for a model from its graph (when it has one) and its settings. */
export function chooseMethod(graph: OnnxGraph | undefined, settings: ExplainSettings = {}): MethodChoice {
  const wanted = settings.method ?? 'auto';
  if (wanted === 'kernel_shap' || wanted === 'lime') return { method: wanted };
  const reading = graph ? readTreeEnsemble(graph) : { ok: false as const, reason: 'the model has no ONNX graph' };
  if (reading.ok) return { method: 'tree_shap', ensemble: reading.ensemble };
  if (wanted === 'tree_shap') throw new Error(`tree_shap cannot explain this model: ${reading.reason}`);
  return { method: 'kernel_shap', reason: reading.reason };
}

export interface ExplainRowsInput {
  readonly predict: BatchPredict;
  /** Rows to explain, row-major `n × features`. */
  readonly rows: ArrayLike<number>;
  /** Reference rows (row-major) or an already summarised background. */
  readonly reference: Background;
  readonly featureNames: readonly string[];
  readonly outputNames?: readonly string[];
  readonly choice: MethodChoice;
  readonly settings?: ExplainSettings;
}

/**
 * Explains rows with the chosen method: the one entry point a route, the CLI
 * or the background sampler calls. The reference is summarised to
 * `settings.background` weighted centroids for the SHAP methods; LIME samples
 * from it as given.
 */
export async function explainRows(input: ExplainRowsInput): Promise<Attribution[][]> {
  const s = input.settings ?? {};
  const m = input.featureNames.length;
  const summarised = (): Background => (input.reference.size > (s.background ?? 20)
    ? summariseBackground(input.reference.rows, m, { k: s.background ?? 20, seed: s.seed })
    : input.reference);
  switch (input.choice.method) {
    case 'tree_shap':
      return treeShap(input.choice.ensemble!, input.rows, summarised(), { featureNames: input.featureNames, outputNames: input.outputNames, output: s.output });
    case 'kernel_shap':
      return kernelShap(input.predict, input.rows, summarised(), {
        featureNames: input.featureNames, outputNames: input.outputNames, link: s.link, samples: s.samples, maxSamples: s.maxSamples, seed: s.seed,
      });
    case 'lime':
      return lime(input.predict, input.rows, input.reference, { featureNames: input.featureNames, outputNames: input.outputNames, link: s.link, samples: s.samples, seed: s.seed });
  }
}

/**
 * Model rows per explained row: what an explanation costs, for budgets and
 * the 202 decision (`background × coalitions` for Kernel SHAP, `samples` for
 * LIME, 0 for TreeSHAP, which never runs the model).
 */
export function estimatedModelRows(choice: MethodChoice, features: number, settings: ExplainSettings = {}): number {
  const k = settings.background ?? 20;
  switch (choice.method) {
    case 'tree_shap': return 0;
    case 'lime': return settings.samples ?? 1000;
    case 'kernel_shap': {
      const coalitions = features <= 12 ? 2 ** features - 2 : Math.min(settings.samples ?? 2 * features + 2048, settings.maxSamples ?? Infinity);
      return k * coalitions;
    }
  }
}
