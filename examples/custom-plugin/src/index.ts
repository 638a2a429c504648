/**
 * An example Ponte plugin, loaded by relative path from a config file:
 * request limits for callers that send batches. It is a validator (a plugin
 * kind core runs after its signature check) that refuses requests with more
 * rows than allowed, per model or for every model.
 *
 * ```yaml
 * plugins:
 *   - package: ./dist/src/index.js
 *     options: { maxRows: 100, perModel: { wide_mlp: 16 } }
 * ```
 */
import { definePlugin, PonteError, Tokens, type InferenceRequest, type ModelView, type Validator } from '@ponte/core';

export interface RequestLimitsOptions {
  /** Most rows one request may carry, for every model. */
  maxRows: number;
  /** Tighter limits for named models. */
  perModel: Record<string, number>;
}

/** The validator itself, usable without the plugin wrapper. */
export class RequestLimitsValidator implements Validator {
  readonly name = 'request-limits';

  constructor(private readonly options: RequestLimitsOptions) {}

  validate(request: InferenceRequest, model: ModelView): void {
    const limit = this.options.perModel[model.name] ?? this.options.maxRows;
    const rows = request.inputs[0]?.shape[0] ?? 0;
    if (rows > limit) {
      const field = request.instances !== undefined ? 'instances' : 'inputs[0].shape[0]';
      throw new PonteError('PONTE_VALIDATION_FAILED', `${field}: at most ${limit} rows per request for model "${model.name}", got ${rows}`);
    }
  }
}

export default definePlugin<RequestLimitsOptions>({
  name: 'example-request-limits',
  kind: 'validator',
  description: 'Refuses requests with more rows than allowed',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxRows: { type: 'integer', minimum: 1, default: 1000 },
      perModel: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, default: {} },
    },
  },
  register(ctx) {
    ctx.provide<Validator>(Tokens.Validator, new RequestLimitsValidator(ctx.options));
  },
});
