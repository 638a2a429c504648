import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { PONTE_VERSION, type PonteServer } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import type { ModelMetadataResponse, ServerMetadataResponse } from '../src/index.js';
import { OipClient, PLUGINS_WITH_REST, testConfig } from '../test-support/support.js';

describe('gRPC health and metadata', () => {
  let server: PonteServer;
  let client: OipClient;

  before(async () => {
    server = await startTestServer({ config: testConfig({ plugins: PLUGINS_WITH_REST }) });
    client = OipClient.of(server);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('ServerLive and ServerReady say yes once models are loaded', async () => {
    assert.deepEqual((await client.call('ServerLive', {})).response, { live: true });
    assert.deepEqual((await client.call('ServerReady', {})).response, { ready: true });
  });

  it('ModelReady answers for a model, with and without a version', async () => {
    assert.deepEqual((await client.call('ModelReady', { name: 'purchase' })).response, { ready: true });
    assert.deepEqual((await client.call('ModelReady', { name: 'purchase', version: '1' })).response, { ready: true });
  });

  it('ModelReady on an unknown model or version is NOT_FOUND', async () => {
    const e1 = await client.error('ModelReady', { name: 'nope' });
    assert.equal(e1.code, status.NOT_FOUND);
    assert.match(e1.details, /model "nope" is not configured/);
    const e2 = await client.error('ModelReady', { name: 'purchase', version: '7' });
    assert.equal(e2.code, status.NOT_FOUND);
    assert.match(e2.details, /no version "7"/);
  });

  it('ServerMetadata names the server, its version and extensions', async () => {
    const { response } = await client.call<ServerMetadataResponse>('ServerMetadata', {});
    assert.equal(response.name, 'ponte');
    assert.equal(response.version, PONTE_VERSION);
    assert.deepEqual(response.extensions, ['binary_tensor_data']);
  });

  it('ModelMetadata describes the signature, unversioned and versioned, like REST', async () => {
    const rest = (await (await fetch(`${server.url}/v2/models/purchase`)).json()) as { inputs: unknown; outputs: unknown; platform: string };
    for (const req of [{ name: 'purchase' }, { name: 'purchase', version: '1' }]) {
      const { response } = await client.call<ModelMetadataResponse>('ModelMetadata', req);
      assert.equal(response.name, 'purchase');
      assert.deepEqual(response.versions, ['1']);
      assert.equal(response.platform, rest.platform);
      const shapes = (ts: ModelMetadataResponse['inputs']) => ts.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) }));
      assert.deepEqual(shapes(response.inputs), rest.inputs);
      assert.deepEqual(shapes(response.outputs), rest.outputs);
      assert.deepEqual(shapes(response.inputs), [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }]);
    }
  });

  it('ModelMetadata on an unknown model or version is NOT_FOUND, and a missing name is INVALID_ARGUMENT', async () => {
    assert.equal((await client.error('ModelMetadata', { name: 'nope' })).code, status.NOT_FOUND);
    assert.equal((await client.error('ModelMetadata', { name: 'purchase', version: '9' })).code, status.NOT_FOUND);
    const e = await client.error('ModelMetadata', {});
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^name: is required/);
  });
});
