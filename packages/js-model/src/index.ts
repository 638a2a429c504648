import { definePlugin, Tokens, type ModelFormat } from '@ponte/core';
import { jsModelFormat } from './js-format.js';

export { jsModelFormat, type JsModel, type JsModelModule } from './js-format.js';

/**
 * The JavaScript-module model format: rules, custom logic, and models in tests.
 *
 * @example
 * ```yaml
 * plugins: ['@ponte/js-model']
 * ```
 */
export default definePlugin({
  name: '@ponte/js-model',
  kind: 'model-format',
  description: 'Models written as JavaScript modules exporting load() → { metadata, predict }',
  configSchema: { type: 'object', additionalProperties: false },
  register(ctx) {
    ctx.provide<ModelFormat>(Tokens.ModelFormat, jsModelFormat);
  },
});
