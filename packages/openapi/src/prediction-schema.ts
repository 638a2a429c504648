import type { ModelConfig, ModelSignature, TensorSpec } from '@ponte/core';
import { mainOutputOf, taskOf } from '@ponte/http';
import type { SchemaObject } from './openapi-types.js';
import { elementSchema } from './tensor-schemas.js';

const PROBABILITY: SchemaObject = { type: 'number', minimum: 0, maximum: 1 };

/** Elements per row of an output (every dimension after the batch one), or undefined when one is dynamic. */
function rowWidth(spec: TensorSpec): number | undefined {
  let w = 1;
  for (const d of spec.shape.slice(1)) {
    if (d < 0) return undefined;
    w *= d;
  }
  return w;
}

function rowValue(spec: TensorSpec): SchemaObject {
  const elem = elementSchema(spec.datatype, true);
  const w = rowWidth(spec);
  if (w === 1) return elem;
  if (w === undefined) return { anyOf: [elem, { type: 'array', items: elem }] };
  return { type: 'array', items: elem, minItems: w, maxItems: w };
}

/**
 * The schema of one prediction of the named-feature API, following core's
 * `toPredictions` branch for branch: classifiers give `label` and
 * `probabilities` by label (binary ones also `probability` of the last,
 * positive, class), regressors give `prediction`, anything else every
 * output's row under `outputs`.
 */
export function predictionSchema(config: ModelConfig, sig: ModelSignature): SchemaObject {
  const task = taskOf(config, sig);
  const main = mainOutputOf(config, sig);
  if (main !== undefined && (task === 'binary_classification' || task === 'multiclass_classification')) {
    const declared = main.shape[1];
    const classes = declared !== undefined && declared >= 0 ? declared : config.labels?.length;
    const properties: Record<string, SchemaObject> = {};
    const required = ['label', 'probabilities'];
    if (classes === undefined) {
      properties['label'] = { type: ['string', 'number'], description: 'the most probable class' };
      properties['probabilities'] = { type: 'object', additionalProperties: PROBABILITY, description: 'probability of each class, by label' };
    } else {
      const labels = Array.from({ length: classes }, (_, c) => config.labels?.[c] ?? c);
      const keys = labels.map(String);
      properties['label'] = { enum: labels, description: `the most probable class (from output "${main.name}")` };
      properties['probabilities'] = {
        type: 'object',
        description: 'probability of each class, by label',
        additionalProperties: false,
        required: keys,
        properties: Object.fromEntries(keys.map((k) => [k, PROBABILITY])),
      };
      if (task === 'binary_classification' && classes === 2) {
        properties['probability'] = { ...PROBABILITY, description: `probability of the positive class "${keys[1]}"` };
        required.push('probability');
      }
    }
    return { type: 'object', title: `${task.replace('_', ' ')} prediction`, additionalProperties: false, required, properties };
  }
  if (main !== undefined && task === 'regression') {
    return {
      type: 'object',
      title: 'regression prediction',
      additionalProperties: false,
      required: ['prediction'],
      properties: { prediction: { ...rowValue(main), description: `the value of output "${main.name}" for this row` } },
    };
  }
  return {
    type: 'object',
    title: 'raw outputs',
    additionalProperties: false,
    required: ['outputs'],
    properties: {
      outputs: {
        type: 'object',
        description: "each output's values for this row",
        additionalProperties: false,
        required: sig.outputs.map((o) => o.name),
        properties: Object.fromEntries(sig.outputs.map((o) => [o.name, rowValue(o)])),
      },
    },
  };
}
