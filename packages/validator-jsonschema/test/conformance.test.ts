/**
 * The JSON Schema validator passes the suite every validator passes
 * (`@ponte/testing`): a credit model's feature rules, over the named-row API
 * and over OIP tensors.
 */
import type { FeatureConfig, InferenceRequest, ModelView } from '@ponte/core';
import { validatorConformance } from '@ponte/testing';
import { JsonSchemaValidator } from '@ponte/validator-jsonschema';

const FEATURES: FeatureConfig[] = [
  { name: 'age', type: 'integer', min: 0, max: 130, required: true, nullable: false },
  { name: 'income', type: 'number', min: 0, required: true, nullable: true },
  { name: 'plan', type: 'integer', enum: [1, 2, 3], required: false, nullable: false, default: 1 },
];

const model: ModelView = {
  name: 'credit',
  version: '1',
  config: { name: 'credit', source: '/models/credit', versionPolicy: { latest: 1 }, required: true, warmup: { runs: 0 }, logging: { predictions: false, sampleRate: 1, redact: [] }, options: {}, features: FEATURES },
  signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'p', datatype: 'FP32', shape: [-1, 1] }] },
};

/** A named-rows request as core hands it over: the rows, and the matrix it mapped them to. */
function named(rows: Array<Record<string, unknown>>): InferenceRequest {
  const data = Float32Array.from(rows.flatMap((r) => FEATURES.map((f) => {
    const v = r[f.name] ?? f.default;
    return typeof v === 'number' ? v : NaN;
  })));
  return { model: 'credit', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 3], data }], instances: rows };
}

const tensor = (rows: number[][]): InferenceRequest => ({ model: 'credit', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 3], data: Float32Array.from(rows.flat()) }] });

validatorConformance('@ponte/validator-jsonschema', {
  validator: new JsonSchemaValidator({ rejectNonFinite: true, allErrors: false }),
  model,
  valid: [named([{ age: 42, income: 52_000, plan: 2 }, { age: 0, income: null }]), tensor([[42, 52_000, 2], [130, 0, 3]])],
  invalid: [
    { request: named([{ age: 42, income: 1, plan: 2 }, { age: 131, income: 1 }]), field: 'instances[1].age', why: 'above max' },
    { request: named([{ age: 42, income: 'lots' }]), field: 'instances[0].income', why: 'wrong type' },
    { request: named([{ age: 42, income: 1, plan: 4 }]), field: 'instances[0].plan', why: 'not in enum' },
    { request: tensor([[42, 1, 1], [-3, 1, 1]]), field: 'inputs[0].data[3]', why: 'below min, as a tensor' },
    { request: tensor([[42, Number.POSITIVE_INFINITY, 1]]), field: 'inputs[0].data[1]', why: 'not finite' },
  ],
});
