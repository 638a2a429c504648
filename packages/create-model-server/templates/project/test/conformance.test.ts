/**
 * The plugin passes the suite every Ponte validator passes (from `@ponte/testing`):
 * requests within the limits go through unchanged, requests over them are refused
 * with PONTE_VALIDATION_FAILED naming the field. Write one such file per plugin.
 */
import type { InferenceRequest, ModelView } from '@ponte/core';
import { validatorConformance } from '@ponte/testing';
import { RequestLimitsValidator } from '../src/plugins/request-limits.js';

const model: ModelView = {
  name: '{{model}}',
  version: '1',
  config: { name: '{{model}}', source: '/models/{{model}}', versionPolicy: { latest: 1 }, required: true, warmup: { runs: 0 }, logging: { predictions: false, sampleRate: 1, redact: [] }, options: {} },
  signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 1] }] },
};

const rows = (n: number): InferenceRequest => ({ model: '{{model}}', inputs: [{ name: 'input', datatype: 'FP32', shape: [n, 4], data: new Float32Array(n * 4) }] });

validatorConformance('request-limits', {
  validator: new RequestLimitsValidator({ maxRows: 100, perModel: { '{{model}}': 16 } }),
  model,
  valid: [rows(1), rows(16)],
  invalid: [{ request: rows(17), field: 'inputs[0].shape[0]', why: 'one row over the model\'s limit' }],
});
