import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InferenceResponse, Tensor } from '@ponte/core';
import { encodeInferResponse, encodeInferResponseJson } from '../src/index.js';

const reference = (r: InferenceResponse): string => JSON.stringify(encodeInferResponse(r).json);

test('the direct OIP JSON encoder writes exactly what JSON.stringify of the encoded response writes, for every datatype', () => {
  const outputs: Tensor[] = [
    { name: 'f32', datatype: 'FP32', shape: [1, 6], data: new Float32Array([0.1, -0, NaN, Infinity, -Infinity, 3.4e38]) },
    { name: 'f64', datatype: 'FP64', shape: [3], data: new Float64Array([Math.PI, 1e-300, -1e21]) },
    { name: 'f16', datatype: 'FP16', shape: [3], data: new Uint16Array([0x3c00, 0x7c00, 0x7e00]) },
    { name: 'i64', datatype: 'INT64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 0n, 2n ** 53n + 1n]) },
    { name: 'u64', datatype: 'UINT64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) as unknown as BigInt64Array },
    { name: 'i8', datatype: 'INT8', shape: [2], data: new Int8Array([-128, 127]) },
    { name: 'u32', datatype: 'UINT32', shape: [1], data: new Uint32Array([4294967295]) },
    { name: 'b', datatype: 'BOOL', shape: [3], data: new Uint8Array([0, 1, 2]) },
    { name: 'text "quoted" \u00e9\u2028', datatype: 'BYTES', shape: [2], data: ['a"b\\c\n', '\u{1F600}'] },
    { name: 'empty', datatype: 'FP32', shape: [0, 4], data: new Float32Array(0) },
    { name: 'with parameters', datatype: 'INT32', shape: [1], data: new Int32Array([7]), parameters: { content_type: 'np', n: 1, ok: true } },
  ];
  const responses: InferenceResponse[] = [
    { model_name: 'm', model_version: '1', outputs },
    { model_name: 'm.v-2_x', model_version: '12', id: 'req "7"', parameters: { sequence_id: 3 }, outputs: outputs.slice(0, 1) },
    { model_name: 'none', model_version: '1', outputs: [] },
    // String parameters, plain (the prediction id every logged answer carries) and ones JSON must escape.
    {
      model_name: 'm', model_version: '1', outputs: [],
      parameters: { prediction_id: '0193a5d2-3c4b-7000-8f3e-1c2d3e4f5a6b', quote: 'say "hi"', slash: 'a\\b', line: 'a\nb\tc\u0001', accent: 'naïve ☃', long: 'x'.repeat(65), empty: '', tilde: '~', del: '\u007f' },
    },
  ];
  for (const r of responses) {
    const text = encodeInferResponseJson(r);
    assert.equal(text, reference(r));
    assert.doesNotThrow(() => JSON.parse(text));
  }
});

test('random FP32 rows encode the same as the reference, so clients read back the same float32 values', () => {
  const data = new Float32Array(4096);
  for (let i = 0; i < data.length; i++) data[i] = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20 - 10);
  const r: InferenceResponse = { model_name: 'wide', model_version: '1', outputs: [{ name: 'y', datatype: 'FP32', shape: [16, 256], data }] };
  const text = encodeInferResponseJson(r);
  assert.equal(text, reference(r));
  const back = Float32Array.from((JSON.parse(text) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data);
  assert.deepEqual(back, data);
});
