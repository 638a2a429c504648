import type { SegmentTensorLayout, SegmentView, SegmentVisitor } from '@ponte/core';
import type { ModelOutput } from './engine/index.js';
import type { ModelShape } from './monitored-rows.js';

/** A tensor the reader kept from a record: its layout and a copy of its values. */
interface KeptTensor {
  layout: SegmentTensorLayout | undefined;
  values: unknown[];
}

function keep(into: KeptTensor, layout: SegmentTensorLayout, values: readonly unknown[]): void {
  into.layout = layout;
  const out = into.values;
  out.length = values.length;
  for (let k = 0; k < values.length; k++) out[k] = values[k];
}

function numberOf(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Reads logged records from segments as the window accumulator counts them,
 * the same rows and outputs `monitoredRows` gives (features by name, or the
 * one input tensor read with the model's feature names; the main output as
 * the positive class's score, the predicted class, or the value), without an
 * object per record or row: values go into arrays reused from record to
 * record, in the profile's feature order. This is the monitor's hot loop: it
 * runs for every logged row on the serving thread.
 *
 * @example
 * ```ts
 * const reader = new SegmentRowReader(shape, profile.feature_order);
 * reader.read(view, i, (values, output) => window.addOrdered(values, output));
 * ```
 */
export class SegmentRowReader {
  private readonly position = new Map<string, number>();
  private readonly width: number;
  private readonly byLayout = new WeakMap<readonly string[], Int32Array>();
  private readonly inputOrder: Int32Array;
  /** Feature values of the record's rows, `width` per row, in the profile's order. */
  private values: unknown[] = [];
  private readonly row: unknown[];
  private rows = 0;
  private inputs = 0;
  private outputs = 0;
  private readonly input: KeptTensor = { layout: undefined, values: [] };
  private readonly named: KeptTensor = { layout: undefined, values: [] };
  private readonly firstMatrix: KeptTensor = { layout: undefined, values: [] };
  private readonly first: KeptTensor = { layout: undefined, values: [] };
  private readonly visitor: SegmentVisitor;

  constructor(private readonly shape: ModelShape, featureOrder: readonly string[]) {
    featureOrder.forEach((name, k) => this.position.set(name, k));
    this.width = featureOrder.length;
    this.row = new Array<unknown>(this.width);
    this.inputOrder = this.order(shape.featureNames);
    this.visitor = {
      featureRow: (names, values) => {
        const order = this.layoutOrder(names);
        const base = this.rows * this.width;
        const out = this.values;
        for (let k = 0; k < this.width; k++) out[base + k] = undefined;
        for (let k = 0; k < names.length; k++) {
          const at = order[k]!;
          if (at >= 0) out[base + at] = values[k];
        }
        this.rows++;
      },
      input: (layout, values) => {
        if (this.inputs++ === 0) keep(this.input, layout, values);
      },
      output: (layout, values) => {
        const k = this.outputs++;
        if (this.named.layout === undefined && layout.name === this.shape.mainOutput) keep(this.named, layout, values);
        if (this.firstMatrix.layout === undefined && layout.shape.length === 2) keep(this.firstMatrix, layout, values);
        if (k === 0) keep(this.first, layout, values);
      },
    };
  }

  /** Calls `onRow` for each row of record `i` of `view`: its feature values in the profile's order (reused: read them before returning) and its main output. */
  read(view: SegmentView, i: number, onRow: (values: readonly unknown[], output: ModelOutput | undefined) => void): void {
    this.rows = 0;
    this.inputs = 0;
    this.outputs = 0;
    this.input.layout = undefined;
    this.named.layout = undefined;
    this.firstMatrix.layout = undefined;
    this.first.layout = undefined;
    view.visit(i, this.visitor);
    if (!view.hasFeatures(i)) this.fromInput();
    const main = this.named.layout !== undefined ? this.named : this.firstMatrix.layout !== undefined ? this.firstMatrix : this.first.layout !== undefined ? this.first : undefined;
    const row = this.row;
    for (let r = 0; r < this.rows; r++) {
      const base = r * this.width;
      for (let k = 0; k < this.width; k++) row[k] = this.values[base + k];
      onRow(row, main === undefined ? undefined : this.output(main, r));
    }
  }

  /** Rows from the record's one `[rows, features]` input tensor, read with the model's feature names. */
  private fromInput(): void {
    const t = this.input;
    if (this.inputs !== 1 || t.layout === undefined || this.shape.featureNames.length === 0) return;
    const dims = t.layout.shape;
    const n = dims.length === 0 ? 1 : dims[0]!;
    const cols = dims.length >= 2 ? dims[1]! : 1;
    const use = Math.min(cols, this.inputOrder.length);
    const out = this.values;
    for (let r = 0; r < n; r++) {
      const base = r * this.width;
      for (let k = 0; k < this.width; k++) out[base + k] = undefined;
      for (let k = 0; k < use; k++) {
        const at = this.inputOrder[k]!;
        if (at >= 0) out[base + at] = t.values[r * cols + k];
      }
    }
    this.rows = n;
  }

  /** Row `r`'s main output as drift is measured on it (see `MonitoredRow.output`). */
  private output(main: KeptTensor, r: number): ModelOutput {
    const dims = main.layout!.shape;
    const values = main.values;
    const cols = dims.length >= 2 ? dims[1]! : 1;
    if (this.shape.task === 'regression') return numberOf(values[r * cols]);
    if (cols > 1) {
      if (cols === 2) return numberOf(values[r * 2 + 1]);
      let best = 0;
      for (let k = 1; k < cols; k++) if (numberOf(values[r * cols + k]) > numberOf(values[r * cols + best])) best = k;
      return String(this.shape.labels?.[best] ?? best);
    }
    const raw = values[r];
    return String(typeof raw === 'number' && this.shape.labels !== undefined ? (this.shape.labels[raw] ?? raw) : raw);
  }

  private layoutOrder(names: readonly string[]): Int32Array {
    let order = this.byLayout.get(names);
    if (order === undefined) {
      order = this.order(names);
      this.byLayout.set(names, order);
    }
    return order;
  }

  /** For each name, its position in the profile's feature order, or -1. */
  private order(names: readonly string[]): Int32Array {
    return Int32Array.from(names, (n) => this.position.get(n) ?? -1);
  }
}
