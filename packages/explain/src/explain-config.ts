import type { ExplanationMethod, Link } from './attribution.js';
import type { ExplainSettings } from './explain-rows.js';
import type { TreeShapOutput } from './tree-shap.js';

/** `models[].explain` after defaults: how one model is explained. */
export interface ModelExplainConfig {
  readonly method: ExplanationMethod | 'auto';
  /** Background centroids (K) kept from the reference. */
  readonly k: number;
  /** A reference sample file (CSV or JSON lines); relative paths resolve against the version folder, then the model folder. Default: the monitor's reference profile. */
  readonly file?: string;
  /** Rows read from `file` at most. */
  readonly fileRows: number;
  readonly samples?: number;
  readonly maxSamples?: number;
  /** Time an answer may take before the request becomes a job (`202`). */
  readonly budgetMs: number;
  readonly link?: Link;
  readonly output?: TreeShapOutput;
  readonly seed: number;
  /** Share of live predictions explained in the background for importance over time. */
  readonly sampleRate: number;
}

/** The JSON Schema of `models[].explain` (the plugin checks every model's section against it). */
export const modelExplainSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { enum: ['auto', 'tree_shap', 'kernel_shap', 'lime'], description: 'auto: TreeSHAP when the ONNX graph is a tree ensemble, Kernel SHAP otherwise.' },
    background: {
      description: 'Background centroids K (a number), or { k, file, rows }: a reference sample file instead of the reference profile.',
      oneOf: [
        { type: 'integer', minimum: 1, maximum: 500 },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            k: { type: 'integer', minimum: 1, maximum: 500 },
            file: { type: 'string', minLength: 1 },
            rows: { type: 'integer', minimum: 1, maximum: 1000000 },
          },
        },
      ],
    },
    samples: { type: 'integer', minimum: 1, maximum: 1000000, description: 'Kernel SHAP coalitions when sampling (default 2M + 2048); LIME perturbations (default 1000).' },
    maxSamples: { type: 'integer', minimum: 1, maximum: 1000000 },
    budgetMs: { type: 'number', exclusiveMinimum: 0, description: 'Estimated time above which an explain request is answered 202 with a job to poll (default 2000).' },
    link: { enum: ['identity', 'logit'] },
    output: { enum: ['probability', 'margin'], description: 'TreeSHAP: explain the post-transformed output (default) or the raw margin.' },
    seed: { type: 'integer', minimum: 0 },
    sampleRate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of live predictions explained in the background (default 0.01).' },
  },
} as const;

export const DEFAULT_BUDGET_MS = 2000;
export const DEFAULT_SAMPLE_RATE = 0.01;

/** `models[].explain` with defaults (the section is checked against `modelExplainSchema` at start-up). */
export function modelExplainConfig(raw: Record<string, unknown> | undefined): ModelExplainConfig {
  const r = raw ?? {};
  const bg = r['background'];
  const bgObject = typeof bg === 'object' && bg !== null ? (bg as { k?: number; file?: string; rows?: number }) : undefined;
  const out: { -readonly [K in keyof ModelExplainConfig]: ModelExplainConfig[K] } = {
    method: (r['method'] as ModelExplainConfig['method'] | undefined) ?? 'auto',
    k: typeof bg === 'number' ? bg : bgObject?.k ?? 20,
    fileRows: bgObject?.rows ?? 5000,
    budgetMs: (r['budgetMs'] as number | undefined) ?? DEFAULT_BUDGET_MS,
    seed: (r['seed'] as number | undefined) ?? 0,
    sampleRate: (r['sampleRate'] as number | undefined) ?? DEFAULT_SAMPLE_RATE,
  };
  if (bgObject?.file !== undefined) out.file = bgObject.file;
  if (typeof r['samples'] === 'number') out.samples = r['samples'];
  if (typeof r['maxSamples'] === 'number') out.maxSamples = r['maxSamples'];
  if (r['link'] !== undefined) out.link = r['link'] as Link;
  if (r['output'] !== undefined) out.output = r['output'] as TreeShapOutput;
  return out;
}

/** The engine's settings for a model's config. */
export function engineSettings(c: ModelExplainConfig): ExplainSettings {
  return {
    method: c.method,
    background: c.k,
    seed: c.seed,
    ...(c.samples !== undefined ? { samples: c.samples } : {}),
    ...(c.maxSamples !== undefined ? { maxSamples: c.maxSamples } : {}),
    ...(c.link !== undefined ? { link: c.link } : {}),
    ...(c.output !== undefined ? { output: c.output } : {}),
  };
}
