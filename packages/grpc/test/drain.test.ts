import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { startTestServer } from '@ponte/core/testing';
import type { ModelInferResponse } from '../src/index.js';
import { fixture, grpcAddress, OipClient, testConfig } from '../test-support/support.js';

/** The slow fixture, imported from the same file the server loaded, so the test holds the server's own instance. */
interface SlowModel {
  hold(): Promise<void>;
  release(): void;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('gRPC calls drain on shutdown', () => {
  it('a call in flight when the server stops completes; new calls are refused; then the port closes', async () => {
    const server = await startTestServer({ config: testConfig() });
    const address = grpcAddress(server);
    const client = OipClient.of(server);
    const slow = (await import(pathToFileURL(join(fixture('slow'), '1', 'model.mjs')).href)) as SlowModel;
    const request = { model_name: 'slow', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], contents: { fp32_contents: [21] } }] };
    try {
      const started = slow.hold();
      const inFlight = client.call<ModelInferResponse>('ModelInfer', request);
      await within(started, 60_000, 'the slow model to start running');

      const stopping = server.stop();
      const refused = await client.error('ModelInfer', request);
      assert.equal(refused.code, status.UNAVAILABLE);
      assert.equal(refused.details, 'server is shutting down');

      slow.release();
      const { response } = await inFlight;
      assert.deepEqual(response.outputs[0]!.contents!.fp32_contents, [42]);
      await stopping;

      const late = new OipClient(address);
      try {
        const e = await late.error('ServerLive', {}, { deadline: Date.now() + 10_000 });
        assert.equal(e.code, status.UNAVAILABLE);
      } finally {
        late.close();
      }
    } finally {
      slow.release();
      client.close();
      await server.stop();
    }
  });
});
