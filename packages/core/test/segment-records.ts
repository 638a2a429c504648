import { uuidV7, type StoredPrediction } from '../src/index.js';

/** When the test records start: 2026-01-10 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 10, 12);

/** A logged purchase prediction `i` ms after T0, with named features and two outputs; `over` replaces fields. */
export function record(i: number, over: Partial<StoredPrediction> = {}): StoredPrediction {
  return {
    id: uuidV7(T0 + i),
    time: T0 + i,
    model: 'purchase',
    version: '1',
    requestId: `req-${i}`,
    principal: 'anonymous',
    protocol: 'rest',
    endpoint: 'infer',
    features: [{ age: 30 + i, income: Math.fround(52.7), plan: 'gold', returning: true }],
    outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [i % 2] }, { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [Math.fround(0.25), Math.fround(0.75)] }],
    latencyMs: 1.234,
    ...over,
  };
}
