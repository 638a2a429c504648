import { DATA_TYPES, type DataType, type TensorSpec } from '@ponte/core';
import type { SchemaObject } from './openapi-types.js';

const FP32_MAX = 3.4028234663852886e38;
const FP16_MAX = 65504;

/**
 * The JSON schema of one element of `datatype`, as core's JSON codec accepts
 * it in requests. In responses non-finite floats are written as `null`
 * (JSON has no NaN), so `forResponse` allows it.
 */
export function elementSchema(datatype: DataType, forResponse = false): SchemaObject {
  const info = DATA_TYPES[datatype];
  switch (info.kind) {
    case 'bool': return { type: 'boolean' };
    case 'bytes': return { type: 'string' };
    case 'int': case 'uint': return { type: 'integer', minimum: info.min, maximum: info.max };
    case 'bigint': case 'biguint':
      return { type: 'integer', minimum: info.min, maximum: info.max, description: `${datatype} travels as a JSON number, so values are limited to ±2^53` };
    case 'half':
      return forResponse ? { type: ['number', 'null'] } : { type: 'number', minimum: -FP16_MAX, maximum: FP16_MAX };
    case 'float':
      if (forResponse) return { type: ['number', 'null'], description: 'null stands for NaN or ±Infinity' };
      return datatype === 'FP32' ? { type: 'number', minimum: -FP32_MAX, maximum: FP32_MAX } : { type: 'number' };
  }
}

/** A shape array matching `spec.shape`: fixed dimensions as constants, -1 as any non-negative integer. */
export function shapeSchema(shape: readonly number[]): SchemaObject {
  return {
    type: 'array',
    description: `model shape [${shape.join(', ')}]; -1 marks a dimension the caller chooses (usually the batch size)`,
    minItems: shape.length,
    maxItems: shape.length,
    prefixItems: shape.map((d) => (d >= 0 ? { const: d } : { type: 'integer', minimum: 0 })),
    items: false,
  };
}

/** Tensor `data`: row-major, flat or nested to the tensor's rank. */
export function dataSchema(datatype: DataType, rank: number, forResponse = false): SchemaObject {
  const elem = elementSchema(datatype, forResponse);
  const nested = (r: number): SchemaObject => (r <= 1 ? { type: 'array', items: elem } : { type: 'array', items: { anyOf: [elem, nested(r - 1)] } });
  return { ...nested(Math.max(rank, 1)), description: `${datatype} elements in row-major order, flat or nested` };
}

/** One request input of a model: its name and datatype are fixed, its shape follows the signature. */
export function inputTensorSchema(spec: TensorSpec): SchemaObject {
  return {
    type: 'object',
    title: spec.name,
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { const: spec.name },
      datatype: { const: spec.datatype },
      shape: shapeSchema(spec.shape),
      parameters: { $ref: '#/components/schemas/InputParameters' },
      data: dataSchema(spec.datatype, spec.shape.length),
    },
    description: `Input "${spec.name}": ${spec.datatype} [${spec.shape.join(', ')}]. Give \`data\`, or \`parameters.binary_data_size\` with the binary tensor extension.`,
  };
}

/** One response output of a model. */
export function outputTensorSchema(spec: TensorSpec): SchemaObject {
  return {
    type: 'object',
    title: spec.name,
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { const: spec.name },
      datatype: { const: spec.datatype },
      shape: shapeSchema(spec.shape),
      parameters: { $ref: '#/components/schemas/Parameters' },
      data: dataSchema(spec.datatype, spec.shape.length, true),
    },
    description: `Output "${spec.name}": ${spec.datatype} [${spec.shape.join(', ')}]. \`data\` is absent when the output was asked for as binary.`,
  };
}

/** A schema that is one of `schemas`, without a needless `oneOf` of one. */
export function oneOf(schemas: SchemaObject[]): SchemaObject {
  return schemas.length === 1 ? schemas[0]! : { oneOf: schemas };
}
