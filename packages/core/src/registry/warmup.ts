import type { LoadedModel, ModelConfig } from '../model.js';
import { allocate, elementCount, type Tensor } from '../tensor.js';

/**
 * Inputs for warm-up runs: one row, dynamic dimensions set to 1, values at each
 * feature's `min` when configured (zeros otherwise), so the first real request
 * does not pay for lazy allocations in the runtime.
 */
export function warmupInputs(model: LoadedModel, config: ModelConfig): Tensor[] {
  return model.signature.inputs.map((spec) => {
    const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
    const data = allocate(spec.datatype, elementCount(shape));
    if (data instanceof Float32Array || data instanceof Float64Array) {
      const features = config.features;
      if (features !== undefined && model.signature.inputs.length === 1 && features.length === data.length) {
        features.forEach((f, i) => { data[i] = f.min ?? 0; });
      }
    }
    return { name: spec.name, datatype: spec.datatype, shape, data };
  });
}

export async function warmUp(model: LoadedModel, config: ModelConfig): Promise<void> {
  const inputs = warmupInputs(model, config);
  for (let i = 0; i < config.warmup.runs; i++) await model.run({ inputs });
}
