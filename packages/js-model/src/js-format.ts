import { pathToFileURL } from 'node:url';
import { isDataType, type LoadedModel, type ModelFormat, type ModelLoadRequest, type ModelSignature, type RunRequest, type Tensor, type TensorSpec } from '@ponte/core';

/**
 * What a JavaScript model module exports: `load(context)` returning the model.
 *
 * @example
 * ```js
 * // model.mjs
 * export async function load() {
 *   return {
 *     metadata: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'sum', datatype: 'FP32', shape: [-1, 1] }] },
 *     async predict(inputs) { const x = inputs[0].data; const n = x.length / 2; const sum = new Float32Array(n);
 *       for (let i = 0; i < n; i++) sum[i] = x[2 * i] + x[2 * i + 1]; return [{ name: 'sum', datatype: 'FP32', shape: [n, 1], data: sum }]; },
 *   };
 * }
 * ```
 */
export interface JsModelModule {
  load(context: { name: string; version: string; dir: string; options: Record<string, unknown> }): Promise<JsModel> | JsModel;
}

export interface JsModel {
  metadata: { inputs: TensorSpec[]; outputs: TensorSpec[]; platform?: string };
  /** Receives the input tensors in signature order; returns output tensors. `outputs` names the ones wanted. */
  predict(inputs: Tensor[], outputs: string[]): Promise<Tensor[]> | Tensor[];
  close?(): Promise<void> | void;
}

function checkSpecs(specs: unknown, what: string): TensorSpec[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new Error(`metadata.${what} must be a non-empty array`);
  return specs.map((s, i) => {
    const t = s as Partial<TensorSpec>;
    if (typeof t.name !== 'string' || !isDataType(t.datatype) || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= -1)) {
      throw new Error(`metadata.${what}[${i}] must be { name: string, datatype: OIP datatype, shape: integers (-1 = dynamic) }`);
    }
    return { name: t.name, datatype: t.datatype, shape: [...t.shape] };
  });
}

class JsLoadedModel implements LoadedModel {
  readonly signature: ModelSignature;
  readonly platform: string;
  private closed = false;

  constructor(private readonly model: JsModel) {
    this.signature = { inputs: checkSpecs(model.metadata?.inputs, 'inputs'), outputs: checkSpecs(model.metadata?.outputs, 'outputs') };
    this.platform = model.metadata.platform ?? 'javascript_module';
  }

  async run(request: RunRequest): Promise<Tensor[]> {
    const ordered = this.signature.inputs.map((s) => request.inputs.find((t) => t.name === s.name)!);
    const wanted = request.outputs ?? this.signature.outputs.map((o) => o.name);
    const out = await this.model.predict(ordered, wanted);
    if (!Array.isArray(out)) throw new Error('predict() must return an array of tensors');
    return wanted.map((n) => {
      const t = out.find((o) => o?.name === n);
      if (t === undefined) throw new Error(`predict() did not return output "${n}"`);
      return t;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.close?.();
  }
}

/** The JavaScript-module format: `model.mjs` / `model.js` exporting `load()`. */
export const jsModelFormat: ModelFormat = {
  name: 'js',
  fileNames: ['model.mjs', 'model.js'],
  optionsSchema: { type: 'object' },
  async load(req: ModelLoadRequest): Promise<LoadedModel> {
    const mod = (await import(pathToFileURL(req.file).href)) as Partial<JsModelModule> & { default?: Partial<JsModelModule> };
    const load = mod.load ?? mod.default?.load;
    if (typeof load !== 'function') throw new Error(`${req.file} must export a load() function`);
    const model = await load({ name: req.name, version: req.version, dir: req.dir, options: req.options });
    if (typeof model?.predict !== 'function') throw new Error(`load() in ${req.file} must return { metadata, predict }`);
    return new JsLoadedModel(model);
  },
};
