/**
 * The gRPC protocol passes the suite every protocol passes (`@ponte/testing`):
 * a server with `@ponte/grpc` alone, the purchase model called with
 * ModelInfer over a real channel.
 */
import { protocolConformance } from '@ponte/testing';
import { startTestServer } from '@ponte/core/testing';
import type { ModelInferResponse } from '../src/index.js';
import { OipClient, testConfig } from '../test-support/support.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

protocolConformance('@ponte/grpc', {
  protocol: 'grpc',
  start: (extra) => startTestServer({ config: testConfig(), builtins: extra }),
  model: 'purchase',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: Float32Array.from(ROW) }],
  async infer(endpoint, model, inputs) {
    const client = new OipClient(endpoint.address!);
    try {
      const request = { model_name: model, inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, contents: { fp32_contents: Array.from(t.data as Float32Array) } })) };
      const { response } = await client.call<ModelInferResponse>('ModelInfer', request, { deadline: Date.now() + 20_000 });
      return response.outputs.map((o) => ({ name: o.name, shape: o.shape.map(Number) }));
    } finally {
      client.close();
    }
  },
});
