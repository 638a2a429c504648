/**
 * This service's own Ponte plugin, loaded by relative path from ponte.yaml
 * (`./dist/src/plugins/request-limits.js`): a validator — a plugin kind core
 * runs after its signature check — that refuses requests carrying more rows
 * than allowed, for every model or per model. Change it, or copy it to write
 * another plugin (the plugin API: docs/plugins.md in the Ponte repository).
 *
 * ```yaml
 * plugins:
 *   - package: ./dist/src/plugins/request-limits.js
 *     options: { maxRows: 100, perModel: { {{model}}: 50 } }
 * ```
 */
import { definePlugin, PonteError, Tokens, type InferenceRequest, type ModelView, type Validator } from '@ponte/core';

export interface RequestLimitsOptions {
  /** Most rows one request may carry, for every model. */
  maxRows: number;
  /** Tighter (or looser) limits for named models. */
  perModel: Record<string, number>;
}

/** The validator itself, usable (and testable) without the plugin wrapper. */
export class RequestLimitsValidator implements Validator {
  readonly name = 'request-limits';

  constructor(private readonly options: RequestLimitsOptions) {}

  validate(request: InferenceRequest, model: ModelView): void {
    const limit = this.options.perModel[model.name] ?? this.options.maxRows;
    const rows = request.inputs[0]?.shape[0] ?? 0;
    if (rows > limit) {
      // The caller gets a 400 naming the field and the rule, never a stack trace.
      const field = request.instances !== undefined ? 'instances' : 'inputs[0].shape[0]';
      throw new PonteError('PONTE_VALIDATION_FAILED', `${field}: at most ${limit} rows per request for model "${model.name}", got ${rows}`);
    }
  }
}

export default definePlugin<RequestLimitsOptions>({
  name: '{{name}}-request-limits',
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
