import { DATA_TYPES, type DataType, type FeatureConfig, type FeatureLayout } from '@ponte/core';
import type { SchemaObject } from './openapi-types.js';
import { elementSchema } from './tensor-schemas.js';

type FeatureType = FeatureConfig['type'];

/**
 * The JSON type a feature accepts: the tensor datatype decides what core can
 * write (an INT32 column takes integers whatever the config says), the config
 * can only narrow a float column to integers.
 */
function jsonTypeOf(f: FeatureConfig, datatype: DataType): FeatureType {
  switch (DATA_TYPES[datatype].kind) {
    case 'bool': return 'boolean';
    case 'bytes': return 'string';
    case 'float': case 'half': return f.type === 'integer' ? 'integer' : 'number';
    default: return 'integer';
  }
}

/** The schema of one feature value in a named row: type, range, allowed values, nullability, description. */
export function featureSchema(f: FeatureConfig, datatype: DataType): SchemaObject {
  const type = jsonTypeOf(f, datatype);
  // A missing or null optional feature takes its default (NaN for numbers), as core's row mapping does.
  const nullable = f.nullable || !f.required;
  const s: SchemaObject = { type: nullable ? [type, 'null'] : type };
  if (f.min !== undefined) s['minimum'] = f.min;
  if (f.max !== undefined) s['maximum'] = f.max;
  if (f.enum !== undefined) s['enum'] = nullable ? [...f.enum, null] : [...f.enum];
  if (f.default !== undefined) s['default'] = f.default;
  const notes: string[] = [];
  if (f.description !== undefined) notes.push(f.description);
  if (!f.required) notes.push(`optional${f.default !== undefined ? `; default ${JSON.stringify(f.default)}` : type === 'number' ? '; missing means NaN (for imputing models)' : ''}`);
  else if (f.nullable) notes.push('nullable');
  if (f.input !== undefined && f.input !== f.name) notes.push(`feeds model input "${f.input}"`);
  if (notes.length > 0) s['description'] = notes.join('; ');
  s['examples'] = [exampleValue(f, datatype)];
  return s;
}

/** The datatype each feature is written as, in feature order. */
export function featureDatatypes(layout: FeatureLayout): DataType[] {
  if (layout.kind === 'matrix') return Array.from({ length: layout.width }, () => layout.input.datatype);
  return layout.inputs.map((s) => s.datatype);
}

/** A named row: an object keyed by feature name, unknown names refused. Undefined when the model has no feature names. */
export function rowObjectSchema(layout: FeatureLayout): SchemaObject | undefined {
  const features = layout.features;
  if (features === undefined) return undefined;
  const types = featureDatatypes(layout);
  return {
    type: 'object',
    title: 'named row',
    description: 'One row as feature name → value.',
    additionalProperties: false,
    required: features.filter((f) => f.required).map((f) => f.name),
    properties: Object.fromEntries(features.map((f, j) => [f.name, featureSchema(f, types[j]!)])),
  };
}

/** A positional row: values in feature (or column) order. */
export function rowArraySchema(layout: FeatureLayout): SchemaObject {
  const types = featureDatatypes(layout);
  const features = layout.features;
  const items = types.map((dt, j) => (features === undefined ? elementSchema(dt) : featureSchema(features[j]!, dt)));
  return {
    type: 'array',
    title: 'positional row',
    description: features === undefined ? `One row as ${types.length} values in input column order.` : `One row as ${types.length} values in feature order: ${features.map((f) => f.name).join(', ')}.`,
    minItems: types.length,
    maxItems: types.length,
    prefixItems: items,
    items: false,
  };
}

/**
 * A value that passes the feature's rules: the first allowed value, the
 * default, the middle of the range, or the bound that exists, else zero.
 * Examples must be real: the tests POST them and expect 200.
 */
export function exampleValue(f: FeatureConfig | undefined, datatype: DataType): string | number | boolean {
  const kind = DATA_TYPES[datatype].kind;
  const integer = kind === 'int' || kind === 'uint' || kind === 'bigint' || kind === 'biguint' || ((kind === 'float' || kind === 'half') && f?.type === 'integer');
  if (f?.enum !== undefined && f.enum.length > 0) return f.enum[0]!;
  if (kind === 'bool') return typeof f?.default === 'boolean' ? f.default : false;
  if (kind === 'bytes') return typeof f?.default === 'string' ? f.default : '';
  const lo = f?.min;
  const hi = f?.max;
  const inRange = (v: number): boolean => (lo === undefined || v >= lo) && (hi === undefined || v <= hi) && (!integer || Number.isInteger(v));
  if (typeof f?.default === 'number' && inRange(f.default)) return f.default;
  let v: number;
  if (lo !== undefined && hi !== undefined) v = (lo + hi) / 2;
  else if (lo !== undefined) v = lo;
  else if (hi !== undefined) v = Math.min(hi, 0);
  else v = 0;
  if (!integer) return v;
  const r = Math.round(v);
  if (inRange(r)) return r;
  return lo !== undefined ? Math.ceil(lo) : Math.floor(hi ?? 0);
}

/** An example row in feature order. */
export function exampleRow(layout: FeatureLayout): Array<string | number | boolean> {
  const types = featureDatatypes(layout);
  return types.map((dt, j) => exampleValue(layout.features?.[j], dt));
}
