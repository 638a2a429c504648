/** Shared by the engine tests: the fixture data (copied from the example models) and their ONNX models. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-node';
import type { ProfileRow } from '../src/engine/index.js';

export type ModelName = 'purchase' | 'house' | 'digits';

/** The fixture folder lives next to the sources; tests run from dist/test. */
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const MODELS = fileURLToPath(new URL('../../../../examples/models/', import.meta.url));

export interface Schema {
  task: string;
  label_column: string;
  features: Array<{ name: string }>;
  classes?: number[];
}

export function schemaOf(model: ModelName): Schema {
  return JSON.parse(readFileSync(`${FIXTURES}${model}/schema.json`, 'utf8')) as Schema;
}

export type Row = Record<string, number>;

const cache = new Map<string, Row[]>();

/** The rows of a fixture CSV, all values as numbers. */
export function readRows(model: ModelName, file: 'reference' | 'holdout' | 'drifted'): Row[] {
  const key = `${model}/${file}`;
  let rows = cache.get(key);
  if (rows === undefined) {
    const raw = parse(readFileSync(`${FIXTURES}${key}.csv`, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    rows = raw.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
    cache.set(key, rows);
  }
  return rows;
}

/** The feature values of a row (without the label). */
export function featuresOf(model: ModelName, row: Row): Row {
  const out: Row = {};
  for (const f of schemaOf(model).features) out[f.name] = row[f.name]!;
  return out;
}

/** Runs the model's ONNX export on rows; returns its main output per row (probability vectors, or the value). */
export async function predict(model: ModelName, rows: readonly Row[]): Promise<number[][]> {
  const names = schemaOf(model).features.map((f) => f.name);
  const session = await ort.InferenceSession.create(`${MODELS}${model}/1/model.onnx`);
  try {
    const data = new Float32Array(rows.length * names.length);
    rows.forEach((r, i) => names.forEach((n, j) => { data[i * names.length + j] = r[n]!; }));
    const result = await session.run({ input: new ort.Tensor('float32', data, [rows.length, names.length]) });
    const outName = model === 'house' ? 'prediction' : 'probabilities';
    const t = result[outName]!;
    const width = t.dims[1] ?? 1;
    const values = t.data as Float32Array;
    return rows.map((_, i) => Array.from(values.subarray(i * width, (i + 1) * width)));
  } finally {
    await session.release();
  }
}

/** Profile rows of a fixture file: features, optionally with the model output and the label. */
export function profileRows(model: ModelName, rows: readonly Row[], outputs?: readonly (number | readonly number[])[]): ProfileRow[] {
  const label = schemaOf(model).label_column;
  return rows.map((r, i) => ({ features: featuresOf(model, r), label: r[label]!, ...(outputs !== undefined ? { output: outputs[i]! } : {}) }));
}
