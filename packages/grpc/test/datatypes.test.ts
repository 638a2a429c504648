import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { numberToHalf, halfToNumber, type PonteServer } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import type { InferTensorContents, ModelInferResponse } from '../src/index.js';
import { OipClient, testConfig } from '../test-support/support.js';

/** One value list per datatype, with the extremes of each range and the typed contents field it travels in. */
const CASES: Array<{ dt: string; field: keyof InferTensorContents; values: unknown[]; raw: (v: unknown[]) => Buffer }> = [
  { dt: 'BOOL', field: 'bool_contents', values: [true, false, true], raw: (v) => Buffer.from(v.map((b) => (b ? 1 : 0))) },
  { dt: 'INT8', field: 'int_contents', values: [-128, 0, 127], raw: (v) => Buffer.from(Int8Array.from(v as number[]).buffer) },
  { dt: 'INT16', field: 'int_contents', values: [-32768, 1, 32767], raw: (v) => Buffer.from(Int16Array.from(v as number[]).buffer) },
  { dt: 'INT32', field: 'int_contents', values: [-2147483648, 2, 2147483647], raw: (v) => Buffer.from(Int32Array.from(v as number[]).buffer) },
  { dt: 'INT64', field: 'int64_contents', values: ['-9223372036854775808', '9007199254740993', '9223372036854775807'], raw: (v) => Buffer.from(BigInt64Array.from((v as string[]).map(BigInt)).buffer) },
  { dt: 'UINT8', field: 'uint_contents', values: [0, 1, 255], raw: (v) => Buffer.from(Uint8Array.from(v as number[]).buffer) },
  { dt: 'UINT16', field: 'uint_contents', values: [0, 2, 65535], raw: (v) => Buffer.from(Uint16Array.from(v as number[]).buffer) },
  { dt: 'UINT32', field: 'uint_contents', values: [0, 3, 4294967295], raw: (v) => Buffer.from(Uint32Array.from(v as number[]).buffer) },
  { dt: 'UINT64', field: 'uint64_contents', values: ['0', '9007199254740993', '18446744073709551615'], raw: (v) => Buffer.from(BigUint64Array.from((v as string[]).map(BigInt)).buffer) },
  { dt: 'FP32', field: 'fp32_contents', values: [-1.5, 0, 3.25], raw: (v) => Buffer.from(Float32Array.from(v as number[]).buffer) },
  { dt: 'FP64', field: 'fp64_contents', values: [Math.PI, -1e300, 5e-324], raw: (v) => Buffer.from(Float64Array.from(v as number[]).buffer) },
  { dt: 'BYTES', field: 'bytes_contents', values: [Buffer.from('héllo'), Buffer.from(''), Buffer.from('ponte 🌉')], raw: (v) => Buffer.concat((v as Buffer[]).flatMap((b) => [Buffer.from(Uint32Array.of(b.length).buffer), b])) },
];

const key = (dt: string): string => dt.toLowerCase();

describe('every OIP datatype round-trips over gRPC (identity model)', () => {
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

  it('typed contents in, the same typed contents out', async () => {
    const { response } = await client.call<ModelInferResponse>('ModelInfer', {
      model_name: 'identity',
      inputs: CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3], contents: { [c.field]: c.values } })),
    });
    assert.equal(response.raw_output_contents?.length ?? 0, 0);
    for (const c of CASES) {
      const out = response.outputs.find((o) => o.name === `y_${key(c.dt)}`);
      assert.ok(out, `output for ${c.dt}`);
      assert.equal(out.datatype, c.dt);
      assert.deepEqual(out.shape.map(Number), [3]);
      assert.deepEqual(out.contents![c.field], c.values, c.dt);
    }
  });

  it('raw contents in, the same bytes out', async () => {
    const { response } = await client.call<ModelInferResponse>('ModelInfer', {
      model_name: 'identity',
      inputs: CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3] })),
      raw_input_contents: CASES.map((c) => c.raw(c.values)),
    });
    assert.equal(response.raw_output_contents!.length, CASES.length);
    CASES.forEach((c, i) => {
      assert.equal(response.outputs[i]!.datatype, c.dt);
      assert.deepEqual(Buffer.from(response.raw_output_contents![i]!), c.raw(c.values), c.dt);
    });
  });

  it('FP16 travels as raw bytes, and typed FP16 is refused as the spec says', async () => {
    const halves = Uint16Array.from([1, -2.5, 65504].map(numberToHalf));
    const { response } = await client.call<ModelInferResponse>('ModelInfer', {
      model_name: 'identity_fp16',
      inputs: [{ name: 'x_fp16', datatype: 'FP16', shape: [3] }, { name: 'x_fp32', datatype: 'FP32', shape: [1] }],
      raw_input_contents: [Buffer.from(halves.buffer), Buffer.from(Float32Array.of(7).buffer)],
    });
    const raw = new Uint16Array(new Uint8Array(response.raw_output_contents![0]!).buffer);
    assert.deepEqual(Array.from(raw, halfToNumber), [1, -2.5, 65504]);

    const e = await client.error('ModelInfer', {
      model_name: 'identity_fp16',
      inputs: [{ name: 'x_fp16', datatype: 'FP16', shape: [1], contents: { fp32_contents: [1] } }, { name: 'x_fp32', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } }],
    });
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^inputs\[0\]\.contents: FP16 has no typed contents field/);
  });

  it('binary_data_output chooses raw or typed outputs whatever the inputs were', async () => {
    const typedIn = { model_name: 'identity_fp16', inputs: [{ name: 'x_fp16', datatype: 'FP16', shape: [0] }, { name: 'x_fp32', datatype: 'FP32', shape: [2], contents: { fp32_contents: [1, 2] } }], outputs: [{ name: 'y_fp32' }] };
    const raw = (await client.call<ModelInferResponse>('ModelInfer', { ...typedIn, parameters: { binary_data_output: { bool_param: true } } })).response;
    assert.deepEqual(Array.from(new Float32Array(new Uint8Array(raw.raw_output_contents![0]!).buffer)), [1, 2]);

    const rawIn = { model_name: 'identity', inputs: CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3] })), raw_input_contents: CASES.map((c) => c.raw(c.values)), outputs: [{ name: 'y_int8' }] };
    const typed = (await client.call<ModelInferResponse>('ModelInfer', { ...rawIn, parameters: { binary_data_output: { bool_param: false } } })).response;
    assert.equal(typed.raw_output_contents?.length ?? 0, 0);
    assert.deepEqual(typed.outputs[0]!.contents!.int_contents, [-128, 0, 127]);
  });

  it('values outside a datatype range are INVALID_ARGUMENT naming the element', async () => {
    const inputs = CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3], contents: { [c.field]: c.dt === 'INT8' ? [0, 200, 0] : c.values } }));
    const e = await client.error('ModelInfer', { model_name: 'identity', inputs });
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'inputs[1].contents.int_contents[1]: 200 is outside the INT8 range [-128, 127]');
  });

  it('BOOL raw bytes other than 0 and 1 are INVALID_ARGUMENT', async () => {
    const raws = CASES.map((c) => (c.dt === 'BOOL' ? Buffer.from([0, 2, 1]) : c.raw(c.values)));
    const e = await client.error('ModelInfer', { model_name: 'identity', inputs: CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3] })), raw_input_contents: raws });
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.equal(e.details, 'raw_input_contents[0][1]: BOOL bytes must be 0 or 1');
  });

  it('BYTES raw data with a length prefix past the end is INVALID_ARGUMENT', async () => {
    const raws = CASES.map((c) => (c.dt === 'BYTES' ? Buffer.from([200, 0, 0, 0, 65]) : c.raw(c.values)));
    const e = await client.error('ModelInfer', { model_name: 'identity', inputs: CASES.map((c) => ({ name: `x_${key(c.dt)}`, datatype: c.dt, shape: [3] })), raw_input_contents: raws });
    assert.equal(e.code, status.INVALID_ARGUMENT);
    assert.match(e.details, /^raw_input_contents\[11\]: BYTES element 0 runs past the end/);
  });
});
