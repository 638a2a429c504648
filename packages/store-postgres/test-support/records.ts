// Prediction records shaped like the example `purchase` model's (8 named features, probabilities and a label).
import { uuidV7, type StoredPrediction } from '@ponte/core';

let n = 0;

/** One logged `purchase` prediction at `time` (default now). */
export function purchaseRecord(time = Date.now()): StoredPrediction {
  n++;
  const p = Math.round(Math.random() * 1e6) / 1e6;
  return {
    id: uuidV7(time),
    time,
    model: 'purchase',
    version: '1',
    requestId: `req-${n}`,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    principal: 'svc-checkout',
    protocol: 'rest',
    endpoint: 'predict',
    features: [{
      age: 20 + (n % 50), income: 52.7, visits_last_30d: n % 9, avg_session_minutes: 3.26, pages_viewed: 3 + (n % 20),
      days_since_last_purchase: 365, cart_items: n % 4, is_returning: n % 2,
    }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [1 - p, p] },
      { name: 'label', datatype: 'BYTES', shape: [1], data: [p >= 0.5 ? 'yes' : 'no'] },
    ],
    latencyMs: 0.412,
  };
}
