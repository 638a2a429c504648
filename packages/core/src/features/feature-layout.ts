import type { FeatureConfig, ModelConfig, ModelSignature, TensorSpec } from '../model.js';
import type { DataType } from '../tensor.js';

/**
 * How named features become model inputs: one 2-D input with a column per
 * feature (`matrix`), or one input per feature (`columns`, as skl2onnx exports
 * pipelines with mixed string and numeric columns).
 */
export type FeatureLayout =
  | { kind: 'matrix'; input: TensorSpec; features: FeatureConfig[] | undefined; width: number }
  | { kind: 'columns'; features: FeatureConfig[]; inputs: TensorSpec[] };

function typeOf(dt: DataType): FeatureConfig['type'] {
  if (dt === 'BYTES') return 'string';
  if (dt === 'BOOL') return 'boolean';
  if (dt.startsWith('FP')) return 'number';
  return 'integer';
}

/** Works out the layout from the signature and the feature config, or says why the named API cannot serve this model. */
export function featureLayout(config: ModelConfig, sig: ModelSignature): FeatureLayout | { problem: string } {
  const features = config.features;
  if (sig.inputs.length === 1 && sig.inputs[0]!.shape.length === 2 && (features === undefined || features.every((f) => f.input === undefined || f.input === sig.inputs[0]!.name))) {
    const input = sig.inputs[0]!;
    const declared = input.shape[1]!;
    const width = declared >= 0 ? declared : features?.length ?? -1;
    if (features !== undefined && declared >= 0 && features.length !== declared) {
      return { problem: `model "${config.name}" input "${input.name}" has ${declared} columns but ${features.length} features are configured` };
    }
    if (width < 0) return { problem: `model "${config.name}" input "${input.name}" has a dynamic column count; configure its features` };
    return { kind: 'matrix', input, features, width };
  }
  const perFeature: FeatureConfig[] = features ?? sig.inputs.map((s) => ({ name: s.name, type: typeOf(s.datatype), required: true, nullable: false }));
  const inputs: TensorSpec[] = [];
  for (const f of perFeature) {
    const name = f.input ?? f.name;
    const spec = sig.inputs.find((s) => s.name === name);
    if (spec === undefined) return { problem: `feature "${f.name}" maps to input "${name}", which model "${config.name}" does not have` };
    if (!(spec.shape.length === 2 && (spec.shape[1] === 1 || spec.shape[1]! < 0)) && spec.shape.length !== 1) {
      return { problem: `input "${spec.name}" of model "${config.name}" is not one column per row (shape [${spec.shape.join(', ')}])` };
    }
    inputs.push(spec);
  }
  const missing = sig.inputs.filter((s) => !inputs.includes(s));
  if (missing.length > 0) return { problem: `model "${config.name}" inputs ${missing.map((s) => `"${s.name}"`).join(', ')} have no feature mapped to them` };
  return { kind: 'columns', features: perFeature, inputs };
}
