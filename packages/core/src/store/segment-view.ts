import { Flag, readHeader, Reader, uuidText, type Header } from './prediction-segment.js';

/** A tensor's layout in a segment: what its values are. */
export interface SegmentTensorLayout {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/**
 * What a reader of `SegmentView.visit` wants of a record: each callback it
 * has is called with the values of one feature row or tensor, and the parts
 * it has no callback for are stepped over, not decoded. `values` is reused
 * by a later call: read it (or copy it) before returning.
 */
export interface SegmentVisitor {
  /** A row of named features: `values[k]` is the value of `names[k]`. */
  featureRow?(names: readonly string[], values: readonly unknown[]): void;
  /** An input tensor, its values in row-major order. */
  input?(layout: SegmentTensorLayout, values: readonly unknown[]): void;
  /** An output tensor, its values in row-major order. */
  output?(layout: SegmentTensorLayout, values: readonly unknown[]): void;
}

/**
 * A segment read for a few fields of many records, as the model monitor
 * reads the log: each record's time and id are at hand without decoding the
 * record, and `visit` decodes only the parts a reader asks for, into arrays
 * reused from record to record (one per layout). `decodeSegment` builds whole records instead (an object per
 * record, tensor and row), which for a reader that counts features cost
 * several times more than the counting, most of it in the garbage collector.
 *
 * @example
 * ```ts
 * const view = new SegmentView(bytes);
 * for (let i = 0; i < view.count; i++) {
 *   if (view.times[i]! < since) continue;
 *   view.visit(i, { featureRow: (names, values) => count(names, values) });
 * }
 * ```
 */
export class SegmentView {
  readonly model: string;
  readonly version: string;
  readonly count: number;
  /** Each record's `time` (epoch ms), in append order. */
  readonly times: Float64Array;
  readonly minTime: number;
  readonly maxTime: number;
  private readonly header: Header;
  private readonly bytes: Uint8Array;
  private readonly idsAt: number;
  /** Where each record's features, inputs and outputs start, and its flags. */
  private readonly partsAt: Uint32Array;
  private readonly flags: Uint8Array;
  private readonly layouts: SegmentTensorLayout[];
  private readonly reader: Reader;
  /**
   * The values handed to a visitor, one array per feature-row layout and per
   * tensor layout, reused from record to record: one shared array resized
   * for each part (8 features, then 1 value, then 2) made V8 trim and grow
   * its store, an allocation or two per record.
   */
  private readonly rowValues: unknown[][] = [];
  private readonly tensorValues: unknown[][] = [];

  /** Reads the header and each record's time and position (one pass that steps over values); throws on bytes that are not a segment. */
  constructor(bytes: Uint8Array) {
    const { header, body } = readHeader(bytes);
    this.header = header;
    this.bytes = bytes;
    this.model = header.model;
    this.version = header.version;
    this.count = header.n;
    this.idsAt = body;
    this.layouts = header.tensors.map(([name, datatype, shape]) => ({ name, datatype, shape }));
    const n = header.n;
    this.times = new Float64Array(n);
    this.partsAt = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    const r = new Reader(bytes, body + n * 16);
    this.reader = r;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = header.base + (r.value() as number);
      this.times[i] = t;
      if (t < min) min = t;
      if (t > max) max = t;
      r.skip(); // latency
      r.skip(); // request id
      r.varint(); // principal, protocol, endpoint
      r.varint();
      r.varint();
      const flags = bytes[r.at++]!;
      if (flags & Flag.Trace) r.at += 16;
      else if (flags & Flag.TraceText) r.at += 4 + r.view.getUint32(r.at, true);
      this.flags[i] = flags;
      this.partsAt[i] = r.at;
      this.parts(i, {});
    }
    this.minTime = min;
    this.maxTime = max;
  }

  /** The id of record `i` (lower case). */
  id(i: number): string {
    return uuidText(this.bytes, this.idsAt + i * 16);
  }

  /** Compares record `i`'s id with a 16-byte id (`uuidBytes`): negative, 0 or positive, as their lower-case text compares. */
  compareId(i: number, id: Uint8Array): number {
    const at = this.idsAt + i * 16;
    for (let k = 0; k < 16; k++) {
      const d = this.bytes[at + k]! - id[k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Compares record `i`'s id with record `j`'s of `other` (the order of their lower-case text). */
  compareIdWith(i: number, other: SegmentView, j: number): number {
    const a = this.idsAt + i * 16;
    const b = other.idsAt + j * 16;
    for (let k = 0; k < 16; k++) {
      const d = this.bytes[a + k]! - other.bytes[b + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Whether record `i` was logged with named feature rows. */
  hasFeatures(i: number): boolean {
    return (this.flags[i]! & Flag.Features) !== 0;
  }

  /** Shows record `i`'s feature rows, inputs and outputs to the visitor's callbacks. */
  visit(i: number, visitor: SegmentVisitor): void {
    this.reader.at = this.partsAt[i]!;
    this.parts(i, visitor);
  }

  /** Reads (or, without a callback, steps over) the features, inputs and outputs at the reader's position. */
  private parts(i: number, v: SegmentVisitor): void {
    const r = this.reader;
    const flags = this.flags[i]!;
    if (flags & Flag.Features) {
      const rows = r.varint();
      for (let k = 0; k < rows; k++) {
        const layout = r.varint();
        const names = this.header.rows[layout]!;
        if (v.featureRow === undefined) {
          for (let j = 0; j < names.length; j++) r.skip();
          continue;
        }
        const values = (this.rowValues[layout] ??= new Array<unknown>(names.length));
        for (let j = 0; j < names.length; j++) values[j] = r.value();
        v.featureRow(names, values);
      }
    }
    if (flags & Flag.Inputs) this.tensors(v.input);
    this.tensors(v.output);
  }

  private tensors(callback: ((layout: SegmentTensorLayout, values: readonly unknown[]) => void) | undefined): void {
    const r = this.reader;
    const count = r.varint();
    for (let t = 0; t < count; t++) {
      const index = r.varint();
      const layout = this.layouts[index]!;
      const n = r.varint();
      if (callback === undefined) {
        for (let k = 0; k < n; k++) r.skip();
        continue;
      }
      let values = this.tensorValues[index];
      // A layout's value count is its shape's product, but a record of another length (a ragged BYTES tensor) gets its own array.
      if (values === undefined || values.length !== n) this.tensorValues[index] = values = new Array<unknown>(n);
      for (let k = 0; k < n; k++) values[k] = r.value();
      callback(layout, values);
    }
  }
}
