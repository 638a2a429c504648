import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { PonteServer } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { ERROR_CODE_METADATA, type ModelInferResponse } from '../src/index.js';
import { fp32Bytes, OipClient, testConfig } from '../test-support/support.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

function purchase(extra: Record<string, unknown> = {}, input: Record<string, unknown> = {}): Record<string, unknown> {
  return { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: ROW }, ...input }], ...extra };
}

describe('gRPC errors map to status codes and name the field', () => {
  let server: PonteServer;
  let client: OipClient;

  before(async () => {
    server = await startTestServer({ config: testConfig() });
    client = OipClient.of(server);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('an unknown model is NOT_FOUND, with the Ponte code in trailing metadata', async () => {
    const e = await client.error('ModelInfer', purchase({ model_name: 'nope' }));
    assert.equal(e.code, status.NOT_FOUND);
    assert.equal(e.details, 'model "nope" is not configured');
    assert.deepEqual(e.metadata.get(ERROR_CODE_METADATA), ['PONTE_MODEL_NOT_FOUND']);
  });

  it('an unknown version is NOT_FOUND', async () => {
    const e = await client.error('ModelInfer', purchase({ model_version: '42' }));
    assert.equal(e.code, status.NOT_FOUND);
    assert.match(e.details, /has no version "42"/);
  });

  it('a wrong datatype is INVALID_ARGUMENT naming inputs[0].datatype', async () => {
    const e = await client.error('ModelInfer', purchase({}, { datatype: 'FP64', contents: { fp64_contents: ROW } }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'inputs[0].datatype: input "input" must be FP32, got FP64');
  });

  it('a wrong shape is INVALID_ARGUMENT naming inputs[0].shape', async () => {
    const e = await client.error('ModelInfer', purchase({}, { shape: [1, 7], contents: { fp32_contents: ROW.slice(0, 7) } }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^inputs\[0\]\.shape: dimension 1 of input "input" must be 8/);
  });

  it('contents that do not fill the shape are INVALID_ARGUMENT', async () => {
    const e = await client.error('ModelInfer', purchase({}, { contents: { fp32_contents: ROW.slice(0, 5) } }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'inputs[0].contents.fp32_contents: shape [1, 8] needs 8 elements, got 5');
  });

  it('the wrong contents field for the datatype is INVALID_ARGUMENT', async () => {
    const e = await client.error('ModelInfer', purchase({}, { contents: { fp64_contents: ROW } }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'inputs[0].contents: datatype FP32 takes fp32_contents, got fp64_contents');
  });

  it('missing contents are INVALID_ARGUMENT', async () => {
    const e = await client.error('ModelInfer', purchase({}, { contents: undefined }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^inputs\[0\]\.contents\.fp32_contents: is required/);
  });

  it('raw bytes of the wrong size are INVALID_ARGUMENT naming raw_input_contents[0]', async () => {
    const e = await client.error('ModelInfer', purchase({ raw_input_contents: [fp32Bytes(ROW).subarray(0, 30)] }, { contents: undefined }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'raw_input_contents[0]: shape [1, 8] of FP32 needs 32 bytes, got 30');
  });

  it('raw contents for fewer inputs than declared, or mixed with typed contents, are INVALID_ARGUMENT', async () => {
    const two = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8] }, { name: 'other', datatype: 'FP32', shape: [1] }], raw_input_contents: [fp32Bytes(ROW)] };
    const e1 = await client.error('ModelInfer', two);
    assert.equal(e1.code, status.INVALID_ARGUMENT);
    assert.match(e1.details, /^raw_input_contents: has 1 entries for 2 inputs/);
    const e2 = await client.error('ModelInfer', purchase({ raw_input_contents: [fp32Bytes(ROW)] }));
    assert.equal(e2.code, status.INVALID_ARGUMENT);
    assert.equal(e2.details, 'inputs[0].contents: must be empty when raw_input_contents is used');
  });

  it('a huge declared shape is refused before anything is allocated', async () => {
    const e = await client.error('ModelInfer', purchase({ raw_input_contents: [fp32Bytes(ROW)] }, { shape: ['4000000000', '8'], contents: undefined }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^inputs\[0\]\.shape: tensor of 32000000000 elements exceeds the limit/);
    const neg = await client.error('ModelInfer', purchase({}, { shape: [-1, 8] }));
    assert.equal(neg.code, status.INVALID_ARGUMENT);
    assert.equal(neg.details, 'inputs[0].shape[0]: must be a non-negative integer');
  });

  it('missing fields are INVALID_ARGUMENT, never a crash', async () => {
    for (const [req, msg] of [
      [{}, /^model_name: is required/],
      [{ model_name: 'purchase' }, /^inputs: must be a non-empty array/],
      [{ model_name: 'purchase', inputs: [{}] }, /^inputs\[0\]\.name: must be a non-empty string/],
      [{ model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FLOAT' }] }, /^inputs\[0\]\.datatype: must be one of BOOL/],
      [purchase({ parameters: { x: {} } }), /^parameters\.x: must set one of/],
    ] as const) {
      const e = await client.error('ModelInfer', req);
      assert.equal(e.code, status.INVALID_ARGUMENT, JSON.stringify(req));
      assert.match(e.details, msg);
    }
    assert.deepEqual((await client.call('ServerLive', {})).response, { live: true });
  });

  it('an unknown output name is INVALID_ARGUMENT naming outputs[0].name', async () => {
    const e = await client.error('ModelInfer', purchase({ outputs: [{ name: 'nope' }] }));
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^outputs\[0\]\.name: unknown output "nope"/);
  });

  it('a deadline that has already passed is DEADLINE_EXCEEDED', async () => {
    const e = await client.error('ModelInfer', purchase(), { deadline: new Date(Date.now() - 1) });
    assert.equal(e.code, status.DEADLINE_EXCEEDED);
  });

  it('a 1 µs timeout parameter is DEADLINE_EXCEEDED from the pipeline', async () => {
    const e = await client.error('ModelInfer', purchase({ parameters: { timeout: { int64_param: 1 } } }));
    assert.equal(e.code, status.DEADLINE_EXCEEDED);
    assert.match(e.details, /deadline passed/);
    assert.deepEqual(e.metadata.get(ERROR_CODE_METADATA), ['PONTE_DEADLINE_EXCEEDED']);
  });

  it('echoes the request id and the x-request-id metadata', async () => {
    const { response, metadata } = await client.call<ModelInferResponse>('ModelInfer', purchase({ id: 'order-17' }), { metadata: { 'x-request-id': 'trace-abc' } });
    assert.equal(response.id, 'order-17');
    assert.deepEqual(metadata.get('x-request-id'), ['trace-abc']);
    const generated = await client.call('ServerMetadata', {});
    assert.match(String(generated.metadata.get('x-request-id')[0]), /^[0-9a-f-]{36}$/);
  });

  it('returns only the outputs asked for', async () => {
    const all = (await client.call<ModelInferResponse>('ModelInfer', purchase())).response;
    assert.ok(all.outputs.length >= 2, `purchase has ${all.outputs.map((o) => o.name).join(', ')}`);
    const { response } = await client.call<ModelInferResponse>('ModelInfer', purchase({ outputs: [{ name: 'probabilities' }] }));
    assert.deepEqual(response.outputs.map((o) => o.name), ['probabilities']);
  });
});
