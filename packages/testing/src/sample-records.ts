import type { ModelView, PredictionRecord } from '@ponte/core';

/** The model sample records come from: a classifier with two named features. */
export const SAMPLE_MODEL: ModelView = Object.freeze<ModelView>({
  name: 'conformance',
  version: '1',
  config: {
    name: 'conformance',
    source: '/models/conformance',
    versionPolicy: { latest: 1 },
    required: true,
    warmup: { runs: 0 },
    logging: { predictions: true, sampleRate: 1, redact: [] },
    options: {},
    features: [
      { name: 'age', type: 'number', required: true, nullable: false },
      { name: 'plan', type: 'string', required: true, nullable: false },
    ],
  },
  signature: {
    inputs: [{ name: 'age', datatype: 'FP32', shape: [-1, 1] }, { name: 'plan', datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
  },
});

/**
 * Answered predictions as core hands them to sinks: `n` records, some with a
 * trace parent, a prediction id or parameters, one with an odd principal and
 * non-ASCII feature values.
 *
 * @example
 * ```ts
 * await sink.write(sampleRecords(10));
 * ```
 */
export function sampleRecords(n = 5, model: ModelView = SAMPLE_MODEL): PredictionRecord[] {
  const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);
  return Array.from({ length: n }, (_, i) => ({
    requestId: `req-${i}`,
    ...(i % 2 === 0 ? { predictionId: `0194a0b2-0000-7000-8000-${String(i).padStart(12, '0')}` } : {}),
    time: t0 + i * 1000,
    protocol: i % 3 === 0 ? 'grpc' : 'rest',
    endpoint: 'infer',
    principal: i === 1 ? 'svc "billing" ☃' : 'anonymous',
    ...(i % 2 === 1 ? { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } : {}),
    model,
    inputs: [
      { name: 'age', datatype: 'FP32', shape: [1, 1], data: Float32Array.from([30 + i]) },
      { name: 'plan', datatype: 'BYTES', shape: [1], data: [i === 1 ? 'gold ✓ "quoted"' : 'basic'] },
    ],
    features: [{ age: 30 + i, plan: i === 1 ? 'gold ✓ "quoted"' : 'basic' }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([0.25, 0.75]) }],
    ...(i % 4 === 2 ? { parameters: { temperature: 0.5, explain: false } } : {}),
    timings: { totalMs: 2.5 + i, queueMs: 0.25, runMs: 1.5 },
  }));
}
