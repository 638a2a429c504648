import type { FeatureConfig } from '@ponte/core';

/**
 * The JSON Schema of one named row, from the feature config: each feature's
 * type, range, allowed values and nullability. Required-ness and unknown names
 * are enforced by core when it maps rows to tensors; repeating them here keeps
 * the schema complete for the OpenAPI document.
 */
export function rowSchema(features: readonly FeatureConfig[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of features) {
    const p: Record<string, unknown> = { type: f.nullable || !f.required ? [f.type, 'null'] : f.type };
    if (f.min !== undefined) p['minimum'] = f.min;
    if (f.max !== undefined) p['maximum'] = f.max;
    if (f.enum !== undefined) p['enum'] = f.nullable || !f.required ? [...f.enum, null] : f.enum;
    if (f.description !== undefined) p['description'] = f.description;
    properties[f.name] = p;
  }
  return {
    type: 'object',
    additionalProperties: false,
    required: features.filter((f) => f.required).map((f) => f.name),
    properties,
  };
}
