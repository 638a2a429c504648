import { PonteError } from '../errors.js';
import type { InferenceRequest } from '../inference.js';
import type { FeatureConfig, ModelConfig, ModelSignature } from '../model.js';
import { allocate, DATA_TYPES, numberToHalf, type Tensor } from '../tensor.js';
import { featureLayout, type FeatureLayout } from './feature-layout.js';

const layouts = new WeakMap<ModelSignature, FeatureLayout | { problem: string }>();

function bad(message: string): PonteError {
  return new PonteError('PONTE_VALIDATION_FAILED', message);
}

function layoutFor(config: ModelConfig, sig: ModelSignature): FeatureLayout {
  let l = layouts.get(sig);
  if (l === undefined) {
    l = featureLayout(config, sig);
    layouts.set(sig, l);
  }
  if ('problem' in l) throw new PonteError('PONTE_BAD_REQUEST', `the named-feature API cannot serve this model: ${l.problem}`);
  return l;
}

/** Names in feature order, for messages and for the OpenAPI document. */
export function featureNames(config: ModelConfig, sig: ModelSignature): string[] | undefined {
  const l = featureLayout(config, sig);
  if ('problem' in l) return undefined;
  return l.features?.map((f) => f.name);
}

/**
 * Turns `instances` (objects keyed by feature name, or arrays in feature order)
 * into model input tensors, and named rows for validators and monitors.
 * Missing optional features take their `default` (NaN for numbers without one,
 * which imputing models expect); missing required ones, unknown names and
 * wrong types are refused, naming the instance and the feature.
 */
export function instancesToRequest(rawInstances: unknown, config: ModelConfig, sig: ModelSignature, model: string, version?: string): InferenceRequest {
  if (!Array.isArray(rawInstances) || rawInstances.length === 0) throw new PonteError('PONTE_BAD_REQUEST', 'instances: must be a non-empty array of objects (feature name → value) or arrays (values in feature order)');
  const layout = layoutFor(config, sig);
  const features = layout.features;
  const n = rawInstances.length;
  const rows: Array<Record<string, unknown>> = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = toNamedRow(rawInstances[i], i, features, layout);

  let inputs: Tensor[];
  if (layout.kind === 'matrix') {
    const w = layout.width;
    const data = allocate(layout.input.datatype, n * w);
    const names = features?.map((f) => f.name);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      for (let j = 0; j < w; j++) {
        const key = names === undefined ? String(j) : names[j]!;
        writeValue(data, i * w + j, row[key], features?.[j], i, key, layout.input.datatype);
      }
    }
    inputs = [{ name: layout.input.name, datatype: layout.input.datatype, shape: [n, w], data }];
  } else {
    inputs = layout.features.map((f, j) => {
      const spec = layout.inputs[j]!;
      const data = allocate(spec.datatype, n);
      for (let i = 0; i < n; i++) writeValue(data, i, rows[i]![f.name], f, i, f.name, spec.datatype);
      return { name: spec.name, datatype: spec.datatype, shape: spec.shape.length === 1 ? [n] : [n, 1], data };
    });
  }
  const request: InferenceRequest = { model, inputs, instances: rows };
  if (version !== undefined) request.version = version;
  return request;
}

const nameSets = new WeakMap<FeatureConfig[], Set<string>>();

/** Feature names as a set, once per feature list: rows of wide models have hundreds of keys. */
function namesOf(features: FeatureConfig[]): Set<string> {
  let set = nameSets.get(features);
  if (set === undefined) {
    set = new Set(features.map((f) => f.name));
    nameSets.set(features, set);
  }
  return set;
}

function toNamedRow(raw: unknown, i: number, features: FeatureConfig[] | undefined, layout: FeatureLayout): Record<string, unknown> {
  if (Array.isArray(raw)) {
    const width = features?.length ?? (layout.kind === 'matrix' ? layout.width : 0);
    if (raw.length !== width) throw bad(`instances[${i}]: expected ${width} values in feature order, got ${raw.length}`);
    const row: Record<string, unknown> = {};
    for (let j = 0; j < width; j++) row[features === undefined ? String(j) : features[j]!.name] = raw[j];
    return row;
  }
  if (typeof raw !== 'object' || raw === null) throw bad(`instances[${i}]: must be an object or an array`);
  if (features === undefined) throw bad(`instances[${i}]: this model has no feature names configured; send an array of values in input order`);
  const row = raw as Record<string, unknown>;
  const known = namesOf(features);
  for (const k in row) {
    if (!known.has(k)) throw bad(`instances[${i}].${k}: unknown feature (expected ${features.map((f) => f.name).join(', ')})`);
  }
  return row;
}

/**
 * Writes one value of instance `row`, feature `key`. The `instances[row].key`
 * of a message is built only when a value is refused: building it for every
 * value cost as much as the rest of the mapping on wide models.
 */
function writeValue(data: ReturnType<typeof allocate>, at: number, v: unknown, f: FeatureConfig | undefined, row: number, key: string, datatype: keyof typeof DATA_TYPES): void {
  if (v === undefined || v === null) {
    if (v === undefined && (f === undefined || f.required)) throw bad(`${where(row, key)}: is required`);
    if (v === null && f !== undefined && !f.nullable && f.required) throw bad(`${where(row, key)}: must not be null`);
    v = f?.default ?? (datatype === 'BYTES' ? '' : NaN);
  }
  const info = DATA_TYPES[datatype];
  switch (info.kind) {
    case 'float':
      if (typeof v !== 'number') throw bad(`${where(row, key)}: must be a number, got ${describe(v)}`);
      (data as Float32Array)[at] = v;
      return;
    case 'half':
      if (typeof v !== 'number') throw bad(`${where(row, key)}: must be a number, got ${describe(v)}`);
      (data as Uint16Array)[at] = numberToHalf(v);
      return;
    case 'int': case 'uint':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${where(row, key)}: must be an integer, got ${describe(v)}`);
      (data as Int32Array)[at] = v;
      return;
    case 'bigint': case 'biguint':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${where(row, key)}: must be an integer, got ${describe(v)}`);
      (data as BigInt64Array)[at] = BigInt(v);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw bad(`${where(row, key)}: must be true or false, got ${describe(v)}`);
      (data as Uint8Array)[at] = v ? 1 : 0;
      return;
    case 'bytes':
      if (typeof v !== 'string') throw bad(`${where(row, key)}: must be a string, got ${describe(v)}`);
      (data as string[])[at] = v;
  }
}

function where(row: number, key: string): string {
  return `instances[${row}].${key}`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `string "${v.length > 20 ? `${v.slice(0, 20)}…` : v}"`;
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : typeof v === 'object' ? 'object' : `${typeof v} ${String(v)}`;
}
