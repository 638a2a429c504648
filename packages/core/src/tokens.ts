/**
 * Injection tokens shared by core and plugins. Symbols, never strings, so two
 * plugins cannot collide by accident.
 *
 * @example
 * ```ts
 * ctx.container.register(Tokens.ModelFormat, { useValue: onnxFormat });
 * const formats = container.resolveAll<ModelFormat>(Tokens.ModelFormat);
 * ```
 */
export const Tokens = {
  /** The validated, interpolated root config (`PonteConfig`). */
  Config: Symbol.for('ponte.Config'),
  /** The root pino logger (`Logger`). */
  Logger: Symbol.for('ponte.Logger'),
  /** Model formats (`ModelFormat`), one registration per format. */
  ModelFormat: Symbol.for('ponte.ModelFormat'),
  /** Model stores (`ModelStore`): where model files come from. */
  ModelStore: Symbol.for('ponte.ModelStore'),
  /** Request validators (`Validator`), run in registration order. */
  Validator: Symbol.for('ponte.Validator'),
  /** Authenticators (`Authenticator`); none registered means anonymous access. */
  Authenticator: Symbol.for('ponte.Authenticator'),
  /** Authorizer (`Authorizer`): who may infer on / manage which model. */
  Authorizer: Symbol.for('ponte.Authorizer'),
  /** Pipeline observers (`PipelineObserver`): metrics, tracing, monitoring. */
  PipelineObserver: Symbol.for('ponte.PipelineObserver'),
  /** Prediction transforms (`Transform`) run before and after the model. */
  Transform: Symbol.for('ponte.Transform'),
  /** Explainers (`Explainer`). */
  Explainer: Symbol.for('ponte.Explainer'),
  /** Metrics exporters (`MetricsExporter`). */
  MetricsExporter: Symbol.for('ponte.MetricsExporter'),
  /** The model registry (`ModelRegistry`). */
  ModelRegistry: Symbol.for('ponte.ModelRegistry'),
  /** The inference pipeline (`InferencePipeline`). */
  InferencePipeline: Symbol.for('ponte.InferencePipeline'),
  /** The server lifecycle (`Lifecycle`): readiness and draining. */
  Lifecycle: Symbol.for('ponte.Lifecycle'),
} as const;

export type TokenName = keyof typeof Tokens;
