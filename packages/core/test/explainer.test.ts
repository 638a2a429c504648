import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, resolveAllTokens, Tokens, type Explainer, type InferenceRequest, type Tensor } from '../src/index.js';
import { repository, startServer } from './support/multiplier.js';

/**
 * Occlusion against a zero baseline: each feature's attribution is the output
 * minus the output with that feature zeroed. Exact for a linear model, which
 * is what the contract asks a test explainer to show: base + Σ values = output.
 */
const occlusion: Explainer = {
  name: 'occlusion',
  supports: (model) => model.signature.inputs.length === 1,
  async explain(request, model, run) {
    const input = request.inputs[0]!;
    const [rows, width] = [input.shape[0]!, input.shape[1] ?? 1];
    const zero: InferenceRequest = { ...request, inputs: [{ ...input, data: new Float32Array(rows * width) }] };
    const [base, full] = await Promise.all([run(zero), run(request)]);
    const value = (t: Tensor[], r: number): number => (t[0]!.data as Float32Array)[r]!;
    const names = model.config.features?.map((f) => f.name) ?? Array.from({ length: width }, (_, j) => `x${j}`);
    return Array.from({ length: rows }, (_, r) => [{ output: full[0]!.name, baseValue: value(base, r), values: [value(full, r) - value(base, r)], featureNames: names, method: 'occlusion' }]);
  },
};

test('an explainer a plugin provides explains a model through the model\'s own runner: base value plus attributions is the output', async () => {
  const plugin = definePlugin({ name: 'occlusion', kind: 'explainer', register(ctx) { ctx.provide(Tokens.Explainer, occlusion); } });
  const server = await startServer(repository({ triple: { '1': 3 } }, { triple: 'features:\n  - { name: amount, type: number }\n' }), [plugin]);
  try {
    const model = server.registry.resolve('triple');
    const explainer = resolveAllTokens(server.container, Tokens.Explainer).find((e) => e.supports(model));
    assert.equal(explainer?.name, 'occlusion');
    const request: InferenceRequest = { model: 'triple', inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 1], data: Float32Array.from([2, 5]) }] };
    const run = async (r: InferenceRequest): Promise<Tensor[]> => (await model.runner.run({ inputs: r.inputs })).outputs;
    const explanations = await explainer!.explain(request, model, run);
    assert.deepEqual(explanations.map((row) => row[0]!.baseValue + row[0]!.values.reduce((a, b) => a + b, 0)), [6, 15]);
    assert.deepEqual(explanations[0]![0]!.featureNames, ['amount']);
  } finally {
    await server.stop();
  }
});
