import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { startTestServer } from '@ponte/core/testing';
import type { ModelInferResponse } from '../src/index.js';
import { fixture, OipClient, testConfig } from '../test-support/support.js';

interface SlowModel {
  hold(): Promise<void>;
  release(): void;
}

describe('gRPC admission, as on REST', () => {
  it('refuses a call for a model whose queue is full with RESOURCE_EXHAUSTED before decoding its tensors', async () => {
    const config = testConfig();
    // One batch running, one request waiting: the queue is full.
    (config['models'] as Array<Record<string, unknown>>).push({ name: 'slow_batched', source: fixture('slow'), format: 'js', batching: { maxBatchSize: 1, maxQueueSize: 1 } });
    const server = await startTestServer({ config });
    const client = OipClient.of(server);
    const slow = (await import(pathToFileURL(join(fixture('slow'), '1', 'model.mjs')).href)) as SlowModel;
    const call = (data: number[], datatype = 'FP32') => ({ model_name: 'slow_batched', inputs: [{ name: 'x', datatype, shape: [data.length, 1], contents: { fp32_contents: data } }] });
    try {
      const started = slow.hold();
      const running = client.call<ModelInferResponse>('ModelInfer', call([1]));
      await started;
      const queued = client.call<ModelInferResponse>('ModelInfer', call([2]));
      // Wait until the second call is in the queue (it is refused otherwise only by timing luck).
      for (let i = 0; i < 200 && server.registry.resolve('slow_batched').runner.queueDepth < 1; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(server.registry.resolve('slow_batched').runner.queueDepth, 1);

      // A malformed call would be INVALID_ARGUMENT once decoded; refused at admission, it is never decoded.
      const refused = await client.error('ModelInfer', call([3], 'NOT_A_TYPE'));
      assert.equal(refused.code, status.RESOURCE_EXHAUSTED);
      assert.equal(refused.metadata.get('ponte-error-code')[0], 'PONTE_QUEUE_FULL');
      assert.ok(refused.metadata.get('retry-after').length === 1, 'with a Retry-After hint');

      slow.release();
      assert.deepEqual((await running).response.outputs[0]!.contents!.fp32_contents, [2]);
      assert.deepEqual((await queued).response.outputs[0]!.contents!.fp32_contents, [4]);
    } finally {
      slow.release();
      client.close();
      await server.stop();
    }
  });
});
