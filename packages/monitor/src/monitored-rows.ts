import type { FeedbackItem, ModelTask, StoredPrediction, StoredTensor } from '@ponte/core';

/** What the monitor needs to know of a model to read its log. */
export interface ModelShape {
  readonly task: ModelTask | undefined;
  readonly labels: ReadonlyArray<string | number> | undefined;
  readonly mainOutput: string | undefined;
  /** Feature names in input order, for records logged as tensors. */
  readonly featureNames: readonly string[];
}

/** One row of a logged prediction as the monitor reads it. */
export interface MonitoredRow {
  readonly features: Readonly<Record<string, unknown>>;
  /** The main output as drift is measured on it: the positive class's score (binary), the predicted class (multiclass), the value (regression). */
  readonly output: number | string | undefined;
  /** The predicted class (classifiers). */
  readonly predicted?: string | number;
  /** Class probabilities in label order (classifiers with a probability output). */
  readonly probabilities?: readonly number[];
  /** The predicted value (regression). */
  readonly value?: number;
}

function numberAt(t: StoredTensor, i: number): number {
  const v = t.data[i];
  return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v);
}

/** Rows of a tensor whose first dimension is the batch. */
function rowCount(t: StoredTensor): number {
  return t.shape.length === 0 ? 1 : t.shape[0]!;
}

function mainTensor(outputs: readonly StoredTensor[], shape: ModelShape): StoredTensor | undefined {
  if (shape.mainOutput !== undefined) {
    const named = outputs.find((o) => o.name === shape.mainOutput);
    if (named !== undefined) return named;
  }
  return outputs.find((o) => o.shape.length === 2) ?? outputs[0];
}

function className(shape: ModelShape, index: number): string | number {
  return shape.labels?.[index] ?? index;
}

/**
 * A logged prediction as rows of features and outputs: one per row of the
 * request. Features come from the record's named rows, or from a single
 * `[rows, features]` input tensor read with the model's feature names.
 */
export function monitoredRows(p: StoredPrediction, shape: ModelShape): MonitoredRow[] {
  const features = featuresOf(p, shape);
  const main = mainTensor(p.outputs, shape);
  const rows: MonitoredRow[] = [];
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    if (main === undefined) {
      rows.push({ features: f, output: undefined });
      continue;
    }
    const width = main.shape.length >= 2 ? main.shape[1]! : 1;
    if (shape.task === 'regression') {
      const value = numberAt(main, i * width);
      rows.push({ features: f, output: value, value });
    } else if (width > 1) {
      const probabilities = Array.from({ length: width }, (_, k) => numberAt(main, i * width + k));
      let best = 0;
      for (let k = 1; k < width; k++) if (probabilities[k]! > probabilities[best]!) best = k;
      const predicted = className(shape, best);
      rows.push({ features: f, output: width === 2 ? probabilities[1]! : String(predicted), predicted, probabilities });
    } else {
      // A class index (or a label) per row.
      const raw = main.data[i];
      const predicted = typeof raw === 'number' && shape.labels !== undefined ? className(shape, raw) : (raw as string | number);
      rows.push({ features: f, output: String(predicted), predicted });
    }
  }
  return rows;
}

function featuresOf(p: StoredPrediction, shape: ModelShape): ReadonlyArray<Readonly<Record<string, unknown>>> {
  if (p.features !== undefined) return p.features;
  const input = p.inputs?.length === 1 ? p.inputs[0] : undefined;
  if (input === undefined || shape.featureNames.length === 0) return [];
  const n = rowCount(input);
  const width = input.shape.length >= 2 ? input.shape[1]! : 1;
  const names = shape.featureNames;
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < Math.min(width, names.length); k++) row[names[k]!] = input.data[i * width + k];
    out.push(row);
  }
  return out;
}

/**
 * A delayed label as a class of the model: a label the model has, a class
 * index, or for a binary model `true`/`false`; undefined when it is none of
 * these.
 */
export function labelClass(feedback: FeedbackItem, shape: ModelShape): string | number | undefined {
  const label = feedback.label;
  if (label === undefined) return undefined;
  const labels = shape.labels;
  if (labels === undefined) return typeof label === 'boolean' ? Number(label) : label;
  if (labels.includes(label as string | number)) return label as string | number;
  // YAML may have made the labels numbers while JSON feedback sends strings, or the other way round.
  const asText = labels.find((l) => String(l) === String(label));
  if (asText !== undefined) return asText;
  if (typeof label === 'boolean' && labels.length === 2) return labels[label ? 1 : 0];
  if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < labels.length) return labels[label];
  return undefined;
}
