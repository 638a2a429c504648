/**
 * The example validator passes the suite every validator passes, from
 * `@ponte/testing`: called with the validator itself, a model as core shows
 * it, requests within the limits and requests over them with the field their
 * error must name. A plugin published to npm runs its suite the same way.
 */
import type { InferenceRequest, ModelView } from '@ponte/core';
import { validatorConformance } from '@ponte/testing';
import { RequestLimitsValidator } from '../src/index.js';

const wideMlp: ModelView = {
  name: 'wide_mlp',
  version: '1',
  config: { name: 'wide_mlp', source: '/models/wide_mlp', versionPolicy: { latest: 1 }, required: true, warmup: { runs: 0 }, logging: { predictions: false, sampleRate: 1, redact: [] }, options: {} },
  signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 10] }] },
};

const rows = (n: number): InferenceRequest => ({ model: 'wide_mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [n, 4], data: new Float32Array(n * 4) }] });

validatorConformance('example-request-limits', {
  validator: new RequestLimitsValidator({ maxRows: 100, perModel: { wide_mlp: 16 } }),
  model: wideMlp,
  valid: [rows(1), rows(16)],
  invalid: [
    { request: rows(17), field: 'inputs[0].shape[0]', why: 'one row over the model\'s limit' },
    { request: { ...rows(20), instances: Array.from({ length: 20 }, () => ({})) }, field: 'instances', why: 'too many named rows' },
  ],
});
