import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createLogger, type LoadedModel, type Tensor } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { onnxFormat } from '@ponte/onnx';

interface Golden { inputs: number[][]; expected: number[][]; output_name: string; tolerance: { atol: number; rtol: number } }
const golden = (m: string): Golden => JSON.parse(readFileSync(join(EXAMPLE_MODELS, m, 'golden.json'), 'utf8')) as Golden;
const format = onnxFormat({}, createLogger('silent'));

async function load(m: string, options: Record<string, unknown>): Promise<LoadedModel> {
  return format.load({ name: m, version: '1', dir: join(EXAMPLE_MODELS, m, '1'), file: join(EXAMPLE_MODELS, m, '1', 'model.onnx'), options });
}

function assertGolden(m: string, outputs: Tensor[]): void {
  const g = golden(m);
  const out = outputs.find((o) => o.name === g.output_name)!;
  const width = g.expected[0]!.length;
  g.expected.forEach((row, r) => row.forEach((exp, j) => {
    const got = (out.data as Float32Array)[r * width + j]!;
    assert.ok(Math.abs(got - exp) <= g.tolerance.atol + g.tolerance.rtol * Math.abs(exp), `${m} row ${r} col ${j}: ${got} vs ${exp}`);
  }));
}

function goldenInput(m: string): Tensor {
  const g = golden(m);
  return { name: 'input', datatype: 'FP32', shape: [g.inputs.length, g.inputs[0]!.length], data: Float32Array.from(g.inputs.flat()) };
}

test('the signature comes from the session: dynamic batch dimension as -1, ONNX types as OIP datatypes', async () => {
  const model = await load('purchase', { executor: 'inline' });
  try {
    assert.deepEqual(model.signature, {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }],
      outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    });
    assert.equal(model.platform, 'onnx_onnxv1');
  } finally {
    await model.close();
  }
});

test('every ONNX Runtime setting is accepted and the answers stay golden, inline and on worker threads', async () => {
  const settings = [
    { executor: 'inline', intraOpNumThreads: 2, interOpNumThreads: 2, executionMode: 'parallel', graphOptimizationLevel: 'basic', enableCpuMemArena: false, enableMemPattern: false, logSeverityLevel: 3, executionProviders: ['cpu'] },
    { executor: 'worker', instances: 2, graphOptimizationLevel: 'all' },
  ];
  for (const options of settings) {
    for (const m of ['purchase', 'wide_mlp']) {
      const model = await load(m, options);
      try {
        assert.equal(model.instances ?? 1, options.executor === 'worker' ? 2 : 1);
        assertGolden(m, await model.run({ inputs: [goldenInput(m)] }));
      } finally {
        await model.close();
      }
    }
  }
});

test('worker sessions answer concurrent runs, each with its own rows, and refuse work once closed', async () => {
  const model = await load('digits', { executor: 'worker', instances: 2 });
  const g = golden('digits');
  const runs = g.inputs.map((row) => model.run({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: Float32Array.from(row) }], outputs: ['probabilities'] }));
  const results = await Promise.all(runs);
  results.forEach((out, r) => {
    const p = out[0]!.data as Float32Array;
    g.expected[r]!.forEach((exp, j) => assert.ok(Math.abs(p[j]! - exp) <= 1e-5, `row ${r}`));
  });
  await model.close();
  await model.close();
  await assert.rejects(model.run({ inputs: [goldenInput('digits')] }), /closed/);
});

test('a model whose single row takes another kernel path still answers one row exactly as in a batch', async () => {
  const model = await load('purchase', { executor: 'inline' });
  try {
    const all = (await model.run({ inputs: [goldenInput('purchase')], outputs: ['probabilities'] }))[0]!.data as Float32Array;
    const g = golden('purchase');
    for (let r = 0; r < g.inputs.length; r++) {
      const one = (await model.run({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: Float32Array.from(g.inputs[r]!) }], outputs: ['probabilities'] }))[0]!;
      assert.deepEqual(one.shape, [1, 2]);
      assert.deepEqual(Array.from(one.data as Float32Array), Array.from(all.subarray(r * 2, r * 2 + 2)), `row ${r}`);
    }
  } finally {
    await model.close();
  }
});

test('a corrupt model file is a load error with ONNX Runtime\'s reason', async () => {
  await assert.rejects(format.load({ name: 'x', version: '1', dir: EXAMPLE_MODELS, file: join(EXAMPLE_MODELS, 'purchase', 'model.yaml'), options: {} }), /protobuf|parse|Load model/i);
});

test('unknown or wrong ONNX options in a model config are config errors naming the path', async () => {
  await assert.rejects(startTestServer({ config: { plugins: ['@ponte/onnx'], repository: EXAMPLE_MODELS, models: [{ name: 'purchase', options: { executionProviders: ['gpu'], threads: 4 } }] } }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.ok(e.messages.some((m) => /^models\[0\]\.options\.executionProviders\[0\]: must be one of "cpu", "cuda"/.test(m)), e.messages.join('\n'));
    assert.ok(e.messages.includes('models[0].options.threads: unknown key'), e.messages.join('\n'));
    return true;
  });
});

test('plugin defaults apply to every ONNX model and a model overrides them', async () => {
  const server = await startTestServer({ config: {
    plugins: [{ package: '@ponte/onnx', options: { defaults: { executor: 'worker' } } }],
    repository: EXAMPLE_MODELS,
    models: [{ name: 'house', options: { executor: 'inline' } }],
  } });
  try {
    assert.equal(server.registry.resolve('purchase').loaded.instances, 1);
    assert.equal(server.registry.resolve('purchase').loaded.constructor.name, 'PairedSingleRows');
    assert.equal(server.registry.resolve('digits').loaded.constructor.name, 'WorkerPoolSession');
    assert.equal(server.registry.resolve('house').loaded.constructor.name, 'InlineSession');
  } finally {
    await server.stop();
  }
});
