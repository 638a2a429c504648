import { definePlugin, Tokens, type Validator } from '@ponte/core';
import { JsonSchemaValidator, type JsonSchemaValidatorOptions } from './jsonschema-validator.js';

export { JsonSchemaValidator, type JsonSchemaValidatorOptions } from './jsonschema-validator.js';
export { rowSchema } from './feature-schema.js';

/**
 * The default validator plugin: feature rules from config (type, min/max,
 * enum, required/nullable) as JSON Schema, checked with Ajv, and finite floats.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/validator-jsonschema'
 *     options: { allErrors: true }
 * ```
 */
export default definePlugin<JsonSchemaValidatorOptions>({
  name: '@ponte/validator-jsonschema',
  kind: 'validator',
  description: 'Feature rules as JSON Schema (Ajv); finite floats',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      rejectNonFinite: { type: 'boolean', default: true },
      allErrors: { type: 'boolean', default: false },
    },
  },
  register(ctx) {
    ctx.provide<Validator>(Tokens.Validator, new JsonSchemaValidator(ctx.options));
  },
});
