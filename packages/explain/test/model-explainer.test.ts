import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import type { InferenceRequest, ModelView, Tensor } from '@ponte/core';
import { backgroundOf, modelExplainer } from '@ponte/explain';
import { modelFile, readCsv, sum } from './fixtures.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** A ModelView as core hands it to an explainer, and a `run` on the real ONNX model. */
async function served(name: string, features: string[], mainOutput: string, labels?: string[]): Promise<{ view: ModelView; run: (r: InferenceRequest) => Promise<Tensor[]>; close: () => Promise<void> }> {
  const session = await ort.InferenceSession.create(modelFile(name));
  const view = {
    name, version: '1',
    config: { name, source: `${root}examples/models/${name}`, mainOutput, labels, features: features.map((f) => ({ name: f })) },
    signature: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, features.length] }], outputs: [{ name: mainOutput, datatype: 'FP32', shape: [-1, -1] }] },
  } as unknown as ModelView;
  const run = async (r: InferenceRequest): Promise<Tensor[]> => {
    const t = r.inputs[0]!;
    const out = await session.run({ input: new ort.Tensor('float32', t.data as Float32Array, t.shape) }, [mainOutput]);
    return [{ name: mainOutput, datatype: 'FP32', shape: [...out[mainOutput]!.dims], data: out[mainOutput]!.data as Float32Array }];
  };
  return { view, run, close: () => session.release() };
}

describe("core's Explainer over the engine", () => {
  it('explains the house model with TreeSHAP and the purchase model with Kernel SHAP, chosen from the graph alone', async () => {
    const house = readCsv('house', 'reference.csv', 6, 500);
    const purchase = readCsv('purchase', 'reference.csv', 8, 500);
    const references: Record<string, ReturnType<typeof backgroundOf>> = { house: backgroundOf(house.rows, 6), purchase: backgroundOf(purchase.rows, 8) };
    const explainer = modelExplainer({ reference: (m) => references[m.name] });
    for (const [name, data, main, labels] of [['house', house, 'prediction', undefined], ['purchase', purchase, 'probabilities', ['no', 'yes']]] as const) {
      const s = await served(name, data.names, main, labels ? [...labels] : undefined);
      try {
        assert.ok(explainer.supports(s.view));
        const m = data.names.length;
        const request: InferenceRequest = { model: name, inputs: [{ name: 'input', datatype: 'FP32', shape: [2, m], data: Float32Array.from(data.rows.slice(0, 2 * m)) }] };
        const explained = await explainer.explain(request, s.view, s.run);
        const fx = (await s.run(request))[0]!.data as Float32Array;
        const k = fx.length / 2;
        assert.equal(explained.length, 2);
        for (let r = 0; r < 2; r++) {
          for (const a of explained[r]!) {
            assert.equal(a.method, name === 'house' ? 'tree_shap' : 'kernel_shap');
            assert.deepEqual(a.featureNames, data.names);
            const j = explained[r]!.indexOf(a);
            assert.ok(Math.abs(a.baseValue + sum(a.values) - fx[r * k + j]!) < 1e-4 * Math.max(1, Math.abs(fx[r * k + j]!) / 100), `${name} row ${r}`);
          }
        }
        if (name === 'purchase') assert.equal(explained[0]![1]!.output, 'probabilities[yes]');
        await assert.rejects(explainer.explain({ model: name, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, m + 1], data: new Float32Array(m + 1) }] }, s.view, s.run), /features/);
      } finally {
        await s.close();
      }
    }
  });
});
