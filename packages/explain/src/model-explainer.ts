import { join } from 'node:path';
import { PonteError, type Explainer, type InferenceRequest, type ModelView, type Tensor } from '@ponte/core';
import type { Attribution, BatchPredict } from './attribution.js';
import type { Background } from './background.js';
import { chooseMethod, explainRows, type ExplainSettings, type MethodChoice } from './explain-rows.js';
import { readOnnxGraphFile } from './onnx-graph.js';

export interface ModelExplainerOptions {
  /** The reference rows (or a summarised background) of a model; undefined when it has none. */
  reference(model: ModelView): Promise<Background | undefined> | Background | undefined;
  /** The model's `explain` settings (default: none, so the method is chosen from the graph). */
  settings?(model: ModelView): ExplainSettings | undefined;
}

/**
 * core's `Explainer` over this engine, for models with one float32 input
 * `[N, features]` (the tabular models Ponte serves). The method is chosen per
 * model version from its ONNX graph (`<source>/<version>/model.onnx` when the
 * format is ONNX) and cached; `run` evaluates the perturbed rows as one batch
 * on the loaded model, asking for the main output only.
 */
export function modelExplainer(options: ModelExplainerOptions): Explainer {
  const choices = new Map<string, Promise<MethodChoice>>();
  const choiceFor = (model: ModelView, settings: ExplainSettings): Promise<MethodChoice> => {
    const key = `${model.name}@${model.version}`;
    let choice = choices.get(key);
    if (!choice) {
      const file = join(model.config.source, model.version, 'model.onnx');
      choice = (model.config.format === undefined || model.config.format === 'onnx' ? readOnnxGraphFile(file).catch(() => undefined) : Promise.resolve(undefined))
        .then((graph) => chooseMethod(graph, settings));
      choices.set(key, choice);
    }
    return choice;
  };
  return {
    name: 'ponte-explain',
    supports: (model) => model.signature.inputs.length === 1 && model.signature.inputs[0]!.datatype === 'FP32' && model.signature.inputs[0]!.shape.length === 2,
    async explain(request: InferenceRequest, model: ModelView, run: (request: InferenceRequest) => Promise<Tensor[]>): Promise<Attribution[][]> {
      const input = request.inputs[0];
      if (!input || input.datatype !== 'FP32' || input.shape.length !== 2) throw new PonteError('PONTE_VALIDATION_FAILED', 'inputs[0]: must be one FP32 tensor [rows, features]');
      const [n, m] = input.shape as [number, number];
      const background = await options.reference(model);
      if (!background) throw new PonteError('PONTE_VALIDATION_FAILED', `model ${model.name}: no reference rows to explain against (a reference profile or sample is needed)`);
      if (background.features !== m) throw new PonteError('PONTE_VALIDATION_FAILED', `inputs[0].shape: ${m} features, the reference has ${background.features}`);
      const outputName = model.config.mainOutput ?? model.signature.outputs[0]!.name;
      const predict: BatchPredict = async (rows, count) => {
        const out = await run({ model: model.name, version: model.version, inputs: [{ name: input.name, datatype: 'FP32', shape: [count, m], data: rows }], outputs: [{ name: outputName }] });
        return out.find((t) => t.name === outputName)!.data as ArrayLike<number> as Float32Array;
      };
      const settings = options.settings?.(model) ?? {};
      const featureNames = model.config.features?.map((f) => f.name) ?? Array.from({ length: m }, (_, i) => `x${i}`);
      const outputNames = model.config.labels?.map((l) => `${outputName}[${String(l)}]`);
      const rows = input.data as ArrayLike<number>;
      return explainRows({ predict, rows: Array.from({ length: n * m }, (_, i) => Number(rows[i])), reference: background, featureNames, outputNames, choice: await choiceFor(model, settings), settings });
    },
  };
}
