import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { definePlugin, PonteError, Tokens, type Authenticator, type PipelineObserver, type PonteServer, type RequestContext, type RequestOutcome } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { ERROR_CODE_METADATA, type ModelInferResponse } from '../src/index.js';
import { OipClient, PLUGINS_WITH_REST, testConfig } from '../test-support/support.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const KEY = 'grpc-test-key';

/** A test-only auth scheme: `x-api-key` must equal KEY. */
const apiKey: Authenticator = {
  scheme: 'test-key',
  async authenticate(ctx) {
    const given = ctx.headers['x-api-key'];
    if (given === undefined) return null;
    if (given !== KEY) throw new PonteError('PONTE_UNAUTHENTICATED', 'x-api-key: not a valid key');
    return { id: 'tester', scheme: 'test-key', scopes: ['*:*'] };
  },
};

describe('gRPC goes through the same pipeline as REST', () => {
  let server: PonteServer;
  let client: OipClient;
  const seen: Array<{ ctx: RequestContext; outcome: RequestOutcome }> = [];

  before(async () => {
    const observer: PipelineObserver = { name: 'recorder', onRequestEnd: (ctx, outcome) => { seen.push({ ctx, outcome }); } };
    const testPlugin = definePlugin({
      name: 'grpc-test-auth-and-observer',
      kind: ['auth', 'monitor'],
      register(ctx) {
        ctx.provide<Authenticator>(Tokens.Authenticator, apiKey);
        ctx.provide<PipelineObserver>(Tokens.PipelineObserver, observer);
      },
    });
    server = await startTestServer({ config: testConfig({ plugins: PLUGINS_WITH_REST }), builtins: [testPlugin] });
    client = OipClient.of(server);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  const infer = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: ROW } }] };

  it('refuses a call without credentials as UNAUTHENTICATED, and a wrong key too', async () => {
    const none = await client.error('ModelInfer', infer);
    assert.equal(none.code, status.UNAUTHENTICATED);
    assert.match(none.details, /credentials required \(test-key\)/);
    assert.deepEqual(none.metadata.get(ERROR_CODE_METADATA), ['PONTE_UNAUTHENTICATED']);
    const wrong = await client.error('ModelMetadata', { name: 'purchase' }, { metadata: { 'x-api-key': 'nope' } });
    assert.equal(wrong.code, status.UNAUTHENTICATED);
    assert.equal(wrong.details, 'x-api-key: not a valid key');
  });

  it('keeps liveness and readiness open, as REST does', async () => {
    assert.deepEqual((await client.call('ServerLive', {})).response, { live: true });
    assert.deepEqual((await client.call('ServerReady', {})).response, { ready: true });
  });

  it('lets an observer see gRPC calls with protocol, endpoint, request id, model and outcome', async () => {
    seen.length = 0;
    const { response } = await client.call<ModelInferResponse>('ModelInfer', infer, { metadata: { 'x-api-key': KEY, 'x-request-id': 'obs-1' } });
    assert.equal(response.model_name, 'purchase');
    await client.error('ModelInfer', { ...infer, model_name: 'nope' }, { metadata: { 'x-api-key': KEY, 'x-request-id': 'obs-2' } });
    const ok = seen.find((s) => s.ctx.requestId === 'obs-1');
    assert.ok(ok, 'observer saw the successful call');
    assert.equal(ok.ctx.protocol, 'grpc');
    assert.equal(ok.ctx.endpoint, 'infer');
    assert.equal(ok.ctx.model, 'purchase');
    assert.equal(ok.ctx.principal?.id, 'tester');
    assert.equal(ok.outcome.status, 200);
    const failed = seen.find((s) => s.ctx.requestId === 'obs-2');
    assert.ok(failed, 'observer saw the failed call');
    assert.equal(failed.outcome.status, 404);
    assert.equal(failed.outcome.code, 'PONTE_MODEL_NOT_FOUND');
  });

  it('gives the same validation message as REST for a value the feature rules refuse', async () => {
    const bad = [...ROW.slice(0, 7), 2]; // is_returning must be 0 or 1
    const rest = await fetch(`${server.url}/v2/models/purchase/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: bad }] }),
    });
    assert.equal(rest.status, 400);
    const restError = ((await rest.json()) as { error: string }).error;
    const e = await client.error('ModelInfer', { ...infer, inputs: [{ ...infer.inputs[0], contents: { fp32_contents: bad } }] }, { metadata: { 'x-api-key': KEY } });
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, restError);
    assert.match(e.details, /is_returning/);
  });
});
