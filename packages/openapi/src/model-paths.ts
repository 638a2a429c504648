import { elementCount, featureLayout, type FeatureLayout, type ModelView, type TensorSpec } from '@ponte/core';
import { taskOf } from '@ponte/http';
import { exampleRow, exampleValue, rowArraySchema, rowObjectSchema } from './feature-schemas.js';
import { schemaRef, type PathItemObject, type SchemaObject } from './openapi-types.js';
import { predictionSchema } from './prediction-schema.js';
import { inferOperation, predictOperation } from './protocol-paths.js';
import { inputTensorSchema, oneOf, outputTensorSchema } from './tensor-schemas.js';

/** Generated examples larger than this many elements are left out: a document is not a data set. */
const MAX_EXAMPLE_ELEMENTS = 4096;

/** What one model contributes to the document. */
export interface ModelSection {
  paths: Record<string, PathItemObject>;
  schemas: Record<string, SchemaObject>;
  /** Why the named-feature API cannot serve a version, if it cannot. */
  predictProblem?: string;
}

/** Component-name prefix of a model version's schemas: `purchase.v1`. */
export function schemaPrefix(view: ModelView): string {
  return `${view.name}.v${view.version}`;
}

/** An infer request that passes the model's signature and feature rules. Undefined when it would be too large. */
export function inferExample(view: ModelView, layout: FeatureLayout | undefined): Record<string, unknown> | undefined {
  if (layout?.kind === 'matrix') {
    if (layout.width > MAX_EXAMPLE_ELEMENTS) return undefined;
    return { inputs: [{ name: layout.input.name, datatype: layout.input.datatype, shape: [1, layout.width], data: exampleRow(layout) }] };
  }
  if (layout?.kind === 'columns') {
    const row = exampleRow(layout);
    return { inputs: layout.inputs.map((spec, j) => ({ name: spec.name, datatype: spec.datatype, shape: spec.shape.length === 1 ? [1] : [1, 1], data: [row[j]] })) };
  }
  // No feature layout: fill each input with the neutral value of its datatype, batch of one.
  const shapes = view.signature.inputs.map((s) => s.shape.map((d) => (d < 0 ? 1 : d)));
  if (shapes.reduce((n, s) => n + elementCount(s), 0) > MAX_EXAMPLE_ELEMENTS) return undefined;
  return {
    inputs: view.signature.inputs.map((s: TensorSpec, i) => ({ name: s.name, datatype: s.datatype, shape: shapes[i], data: new Array(elementCount(shapes[i]!)).fill(exampleValue(undefined, s.datatype)) })),
  };
}

/** A predict request that passes the feature rules: one named row (or positional, without feature names). */
export function predictExample(layout: FeatureLayout): Record<string, unknown> | undefined {
  const row = exampleRow(layout);
  if (row.length > MAX_EXAMPLE_ELEMENTS) return undefined;
  const features = layout.features;
  return { instances: [features === undefined ? row : Object.fromEntries(features.map((f, j) => [f.name, row[j]]))] };
}

/**
 * Schemas and concrete paths of one ready model version: its infer request and
 * response from the signature, and, when the named-feature API can serve it,
 * its predict request from the feature config and its predictions from the
 * task. `unversioned` adds the paths without `/versions/{v}` (the newest ready
 * version answers those).
 */
export function modelVersionSection(view: ModelView, unversioned: boolean): ModelSection {
  const prefix = schemaPrefix(view);
  const { name, version, signature, config } = view;
  const schemas: Record<string, SchemaObject> = {};
  const paths: Record<string, PathItemObject> = {};
  const laid = featureLayout(config, signature);
  const layout = 'problem' in laid ? undefined : laid;
  const tags = [name];
  const where = unversioned ? `${name} (newest ready version, now ${version})` : `${name} version ${version}`;

  schemas[`${prefix}.InferRequest`] = {
    type: 'object',
    title: `${name} v${version} infer request`,
    additionalProperties: false,
    required: ['inputs'],
    properties: {
      id: { type: 'string', description: 'Returned in the response.' },
      parameters: schemaRef('InferParameters'),
      inputs: {
        type: 'array',
        description: `Every input once: ${signature.inputs.map((s) => `${s.name} (${s.datatype} [${s.shape.join(', ')}])`).join(', ')}.`,
        minItems: signature.inputs.length,
        maxItems: signature.inputs.length,
        items: oneOf(signature.inputs.map(inputTensorSchema)),
      },
      outputs: {
        type: 'array',
        description: 'Outputs to return; all when omitted.',
        items: { type: 'object', required: ['name'], properties: { name: { enum: signature.outputs.map((o) => o.name) }, parameters: schemaRef('OutputParameters') } },
      },
    },
  };
  schemas[`${prefix}.InferResponse`] = {
    type: 'object',
    title: `${name} v${version} infer response`,
    required: ['model_name', 'model_version', 'outputs'],
    properties: {
      model_name: { const: name },
      model_version: { const: version },
      id: { type: 'string' },
      parameters: schemaRef('Parameters'),
      outputs: { type: 'array', items: oneOf(signature.outputs.map(outputTensorSchema)) },
    },
  };
  const inferPath = (v: boolean): string => (v ? `/v2/models/${name}/versions/${version}/infer` : `/v2/models/${name}/infer`);
  const inferFields = (v: boolean): Record<string, unknown> => ({
    tags,
    operationId: v ? `infer.${name}.v${version}` : `infer.${name}`,
    summary: `Infer with ${v ? `${name} version ${version}` : name}`,
    description: `Open Inference Protocol v2 inference on ${v ? `${name} version ${version}` : where}. The example request is valid for this model.`,
  });
  const example = inferExample(view, layout);
  const addInfer = (v: boolean): void => {
    paths[inferPath(v)] = { post: inferOperation(inferFields(v), schemaRef(`${prefix}.InferRequest`), schemaRef(`${prefix}.InferResponse`), example) };
  };
  if (unversioned) addInfer(false);
  addInfer(true);

  if (layout === undefined) return { paths, schemas, predictProblem: (laid as { problem: string }).problem };

  const rowObject = rowObjectSchema(layout);
  if (rowObject !== undefined) schemas[`${prefix}.Row`] = { ...rowObject, title: `${name} v${version} row` };
  const rows = rowObject !== undefined ? [schemaRef(`${prefix}.Row`), rowArraySchema(layout)] : [rowArraySchema(layout)];
  schemas[`${prefix}.PredictRequest`] = {
    type: 'object',
    title: `${name} v${version} predict request`,
    additionalProperties: false,
    required: ['instances'],
    properties: {
      instances: { type: 'array', minItems: 1, description: 'Rows to predict, each a named row or a positional one.', items: oneOf(rows) },
      id: { type: 'string', description: 'Returned in the response.' },
      parameters: schemaRef('PredictParameters'),
    },
  };
  schemas[`${prefix}.Prediction`] = { ...predictionSchema(config, signature), description: `Task: ${taskOf(config, signature).replace(/_/g, ' ')}.` };
  schemas[`${prefix}.PredictResponse`] = {
    type: 'object',
    title: `${name} v${version} predict response`,
    required: ['model_name', 'model_version', 'predictions'],
    properties: {
      model_name: { const: name },
      model_version: { const: version },
      id: { type: 'string' },
      predictions: { type: 'array', description: 'One per instance, in order.', items: schemaRef(`${prefix}.Prediction`) },
    },
  };
  const predictPath = (v: boolean): string => (v ? `/v1/models/${name}/versions/${version}:predict` : `/v1/models/${name}:predict`);
  const predictEx = predictExample(layout);
  const addPredict = (v: boolean): void => {
    paths[predictPath(v)] = {
      post: predictOperation(
        {
          tags,
          operationId: v ? `predict.${name}.v${version}` : `predict.${name}`,
          summary: `Predict with ${v ? `${name} version ${version}` : name}`,
          description: `Named-feature prediction on ${v ? `${name} version ${version}` : where}. ${layout.features !== undefined ? `Features: ${layout.features.map((f) => `\`${f.name}\``).join(', ')}.` : 'This model has no feature names configured: send rows as arrays.'} The example request is valid for this model.`,
        },
        schemaRef(`${prefix}.PredictRequest`),
        schemaRef(`${prefix}.PredictResponse`),
        predictEx,
      ),
    };
  };
  if (unversioned) addPredict(false);
  addPredict(true);
  return { paths, schemas };
}
