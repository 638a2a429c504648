/**
 * REST passes the suite every protocol passes (`@ponte/testing`): a server
 * with `@ponte/http`, the purchase model called with the Open Inference
 * Protocol's JSON over a real socket.
 */
import { protocolConformance } from '@ponte/testing';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

protocolConformance('@ponte/http', {
  protocol: 'rest',
  start: (extra) => startTestServer({ config: { plugins: ['@ponte/onnx'], repository: EXAMPLE_MODELS, models: [{ name: 'purchase' }] }, builtins: extra }),
  model: 'purchase',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: Float32Array.from(ROW) }],
  async infer(endpoint, model, inputs) {
    const res = await fetch(`${endpoint.address}/v2/models/${encodeURIComponent(model)}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: Array.from(t.data as Float32Array) })) }),
    });
    const body = (await res.json()) as { error?: string; outputs?: Array<{ name: string; shape: number[] }> };
    if (!res.ok) throw new Error(`${res.status}: ${body.error}`);
    return body.outputs!.map((o) => ({ name: o.name, shape: o.shape }));
  },
});
