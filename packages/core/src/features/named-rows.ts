import type { ModelConfig, ModelSignature } from '../model.js';
import { elementAt, type Tensor } from '../tensor.js';
import { featureLayout, type FeatureLayout } from './feature-layout.js';

/** Layouts by signature, with a matrix layout's feature names: working one out walks every feature, and sinks ask once per record. */
const layouts = new WeakMap<ModelSignature, { layout: FeatureLayout | { problem: string }; names: string[] | undefined; kept?: { redact: readonly string[]; names: string[]; columns: number[] } }>();

/**
 * The rows of a one-matrix input as named features without building an
 * object per row: the names kept (redacted ones dropped), the column of each
 * in the matrix, and the tensor. What the prediction log encodes straight
 * from the model's input.
 */
export class FeatureMatrix {
  constructor(readonly names: readonly string[], readonly columns: readonly number[], readonly width: number, readonly rows: number, readonly tensor: Tensor) {}

  /** The value of kept feature `k` (an index into `names`) in row `r`, as `namedRows` would give it. */
  value(r: number, k: number): number | boolean | string {
    return elementAt(this.tensor, r * this.width + this.columns[k]!);
  }
}

/**
 * The inputs as a `FeatureMatrix`, `redact` features left out, when the model
 * takes one matrix with named columns; undefined otherwise (use `namedRows`).
 *
 * @example
 * ```ts
 * const m = featureMatrix(request.inputs, model.config, model.signature, ['income']);
 * m?.value(0, 0); // the first row's first kept feature
 * ```
 */
export function featureMatrix(inputs: readonly Tensor[], config: ModelConfig, sig: ModelSignature, redact: readonly string[]): FeatureMatrix | undefined {
  const known = knownLayout(config, sig);
  const layout = known.layout;
  if ('problem' in layout || layout.kind !== 'matrix' || known.names === undefined) return undefined;
  let t: Tensor | undefined;
  for (const i of inputs) if (i.name === layout.input.name) t = i;
  if (t === undefined || t.shape.length !== 2) return undefined;
  let kept = known.kept;
  if (kept === undefined || kept.redact !== redact) {
    const names: string[] = [];
    const columns: number[] = [];
    known.names.forEach((n, j) => { if (!redact.includes(n)) { names.push(n); columns.push(j); } });
    kept = known.kept = { redact, names, columns };
  }
  return new FeatureMatrix(kept.names, kept.columns, t.shape[1]!, t.shape[0]!, t);
}

function knownLayout(config: ModelConfig, sig: ModelSignature): { layout: FeatureLayout | { problem: string }; names: string[] | undefined; kept?: { redact: readonly string[]; names: string[]; columns: number[] } } {
  let known = layouts.get(sig);
  if (known === undefined) {
    const l = featureLayout(config, sig);
    known = { layout: l, names: 'problem' in l || l.kind !== 'matrix' ? undefined : l.features?.map((f) => f.name) };
    layouts.set(sig, known);
  }
  return known;
}

/**
 * The inputs of a request as rows of named features, when the model has
 * feature names (configured, or one input per feature); undefined for
 * anonymous tensors. FP values come back as the model saw them (FP32-rounded).
 *
 * @example
 * ```ts
 * namedRows(request.inputs, model.config, model.signature); // [{ age: 39, income: 52.7, … }]
 * ```
 */
export function namedRows(inputs: readonly Tensor[], config: ModelConfig, sig: ModelSignature): Array<Record<string, unknown>> | undefined {
  const known = knownLayout(config, sig);
  const layout = known.layout;
  if ('problem' in layout) return undefined;
  if (layout.kind === 'matrix') {
    const names = known.names;
    let t: Tensor | undefined;
    for (const i of inputs) if (i.name === layout.input.name) t = i;
    if (names === undefined || t === undefined || t.shape.length !== 2) return undefined;
    const [n, w] = t.shape as [number, number];
    const rows = new Array<Record<string, unknown>>(n);
    for (let r = 0; r < n; r++) {
      const row: Record<string, unknown> = {};
      for (let j = 0; j < w; j++) row[names[j]!] = elementAt(t, r * w + j);
      rows[r] = row;
    }
    return rows;
  }
  const columns = layout.inputs.map((spec) => inputs.find((i) => i.name === spec.name));
  if (columns.some((c) => c === undefined)) return undefined;
  const n = columns[0]!.shape[0] ?? 0;
  const rows = new Array<Record<string, unknown>>(n);
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    layout.features.forEach((f, j) => { row[f.name] = elementAt(columns[j]!, r); });
    rows[r] = row;
  }
  return rows;
}
