import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/core/testing';
import type { ModelInferResponse } from '../src/index.js';
import { fp32Bytes, fp32FromBytes, OipClient, testConfig } from '../test-support/support.js';

interface Golden {
  model: string;
  input_name: string;
  output_name: string;
  tolerance: { atol: number; rtol: number };
  inputs: number[][];
  expected: Array<number | number[]>;
}

const goldens: Golden[] = readdirSync(EXAMPLE_MODELS)
  .filter((m) => existsSync(join(EXAMPLE_MODELS, m, 'golden.json')))
  .sort()
  .map((m) => JSON.parse(readFileSync(join(EXAMPLE_MODELS, m, 'golden.json'), 'utf8')) as Golden);

function assertClose(got: number[], g: Golden): void {
  const expected = g.expected.flat();
  assert.equal(got.length, expected.length, `${g.model}: ${got.length} values, expected ${expected.length}`);
  const { atol, rtol } = g.tolerance;
  expected.forEach((exp, i) => {
    const diff = Math.abs(got[i]! - exp);
    assert.ok(diff <= atol + rtol * Math.abs(exp), `${g.model}[${i}]: got ${got[i]}, expected ${exp} (|diff| ${diff} > ${atol} + ${rtol}·|exp|)`);
  });
}

describe('every example model answers its golden.json over gRPC', () => {
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

  it('finds the example models', () => {
    assert.ok(goldens.length >= 4, `found ${goldens.map((g) => g.model).join(', ')}`);
  });

  for (const g of goldens) {
    const rows = g.inputs.length;
    const cols = g.inputs[0]!.length;

    it(`${g.model}: typed fp32_contents in, typed contents out`, async () => {
      const { response } = await client.call<ModelInferResponse>('ModelInfer', {
        model_name: g.model,
        inputs: [{ name: g.input_name, datatype: 'FP32', shape: [rows, cols], contents: { fp32_contents: g.inputs.flat() } }],
        outputs: [{ name: g.output_name }],
      });
      assert.equal(response.model_name, g.model);
      assert.equal(response.model_version, '1');
      assert.equal(response.raw_output_contents?.length ?? 0, 0);
      assert.equal(response.outputs.length, 1);
      const out = response.outputs[0]!;
      assert.equal(out.name, g.output_name);
      assert.equal(out.datatype, 'FP32');
      assert.equal(Number(out.shape[0]), rows);
      assertClose(out.contents!.fp32_contents!, g);
    });

    it(`${g.model}: raw_input_contents in, raw_output_contents out`, async () => {
      const { response } = await client.call<ModelInferResponse>('ModelInfer', {
        model_name: g.model,
        model_version: '1',
        inputs: [{ name: g.input_name, datatype: 'FP32', shape: [rows, cols] }],
        outputs: [{ name: g.output_name }],
        raw_input_contents: [fp32Bytes(g.inputs.flat())],
      });
      assert.equal(response.raw_output_contents!.length, 1);
      const out = response.outputs[0]!;
      assert.equal(out.name, g.output_name);
      assert.equal(out.contents ?? null, null, 'raw responses carry no typed contents');
      assertClose(fp32FromBytes(response.raw_output_contents![0]!), g);
    });
  }
});
