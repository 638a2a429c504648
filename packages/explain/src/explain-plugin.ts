import { checkAgainstSchema, ConfigError, definePlugin, Tokens } from '@ponte/core';
import { HttpTokens } from '@ponte/http';
import { engineSettings, modelExplainSchema } from './explain-config.js';
import { ExplainJobs } from './explain-jobs.js';
import { explainRoutes } from './explain-routes.js';
import { ExplanationService } from './explanation-service.js';
import { ImportanceSampler } from './importance-sampler.js';
import { modelExplainer } from './model-explainer.js';

/** `plugins[].options` of `@ponte/explain`. */
export interface ExplainPluginOptions {
  /** Explanations running at once per model (default 1): the rest of the model's capacity stays with predictions. */
  readonly concurrency: number;
  /** Explain requests waiting per model for a slot (default 8); more are answered 429. */
  readonly queue: number;
  /** Perturbed rows per call to the model's runner (default 2048). */
  readonly chunkRows: number;
  /** Rows one explain request may carry (default 100). */
  readonly maxRows: number;
  readonly jobs: { readonly max: number; readonly ttlSeconds: number; readonly maxBytes: number };
  /** Sampled predictions waiting to be explained at most (default 1000); more are skipped. */
  readonly maxPendingSamples: number;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
    queue: { type: 'integer', minimum: 0, maximum: 10000, default: 8 },
    chunkRows: { type: 'integer', minimum: 1, maximum: 1000000, default: 2048 },
    maxRows: { type: 'integer', minimum: 1, maximum: 100000, default: 100 },
    jobs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        max: { type: 'integer', minimum: 1, maximum: 10000, default: 16 },
        ttlSeconds: { type: 'number', exclusiveMinimum: 0, default: 600 },
        maxBytes: { type: 'integer', minimum: 1024, default: 67108864 },
      },
    },
    maxPendingSamples: { type: 'integer', minimum: 0, maximum: 1000000, default: 1000 },
  },
} as const;

/**
 * Explanations in process, on the served model: `POST /v2/models/{m}/explain`
 * (OIP tensors) and `POST /v1/models/{m}:explain` (named features) answer
 * per-row, per-class attributions with the prediction (TreeSHAP for ONNX
 * tree ensembles, Kernel SHAP or LIME for any model), long ones as jobs to
 * poll; a sampled share of live traffic is explained in the background for
 * the monitor's importance over time. Core's `Explainer` is provided too.
 *
 * @example
 * ```yaml
 * plugins: ['@ponte/onnx', '@ponte/store-sqlite', '@ponte/monitor', '@ponte/explain']
 * models:
 *   - name: purchase
 *     explain: { method: kernel_shap, background: 20, budgetMs: 500, sampleRate: 0.01 }
 * ```
 */
export const explainPlugin = definePlugin<ExplainPluginOptions>({
  name: '@ponte/explain',
  kind: 'explainer',
  core: '^0.1.0',
  dependsOn: ['@ponte/http'],
  description: 'Feature attributions per prediction (TreeSHAP, Kernel SHAP, LIME), explain routes, importance over time',
  configSchema: optionsSchema,
  register(ctx) {
    const errors = ctx.config.models.flatMap((m, i) => (m.explain === undefined ? [] : checkAgainstSchema(modelExplainSchema, m.explain, `models[${i}].explain`)));
    if (errors.length > 0) throw new ConfigError(errors);
    const o = ctx.options;
    const service = new ExplanationService({ concurrency: o.concurrency, queue: o.queue, chunkRows: o.chunkRows });
    const jobs = new ExplainJobs({ maxJobs: o.jobs.max, ttlMs: o.jobs.ttlSeconds * 1000, maxBytes: o.jobs.maxBytes });
    const registry = ctx.later(Tokens.ModelRegistry);
    const store = () => ctx.resolveAll(Tokens.PredictionStore)[0];
    const routes = ctx.resolve(HttpTokens.Routes);
    for (const route of explainRoutes({ service, jobs, maxRows: o.maxRows, router: ctx.later(Tokens.VersionRouter), validators: () => ctx.resolveAll(Tokens.Validator), store })) routes.add(route, ctx.name);
    ctx.provide(Tokens.Explainer, modelExplainer({ reference: async (m) => (await service.prepare(m)).background, settings: (m) => engineSettings(service.config(m)) }));
    const sampler = new ImportanceSampler(service, registry, store, ctx.logger, { maxPending: o.maxPendingSamples, perDocument: 64 });
    ctx.provide(Tokens.PredictionSink, sampler);
    return {
      stop() {
        sampler.stop();
      },
    };
  },
});
