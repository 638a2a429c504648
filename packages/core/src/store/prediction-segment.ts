import { PonteError } from '../errors.js';
import { FeatureMatrix } from '../features/named-rows.js';
import { halfToNumber, type Tensor } from '../tensor.js';
import type { StoredPrediction, StoredTensor } from './prediction-store.js';

/** A tensor a segment encodes: as stored (JSON values), or as the model produced it (typed arrays, encoded without a copy). */
export type EncodableTensor = StoredTensor | Tensor;

/** A prediction a segment encodes: a stored one, or one whose tensors are still the model's (the prediction log's). Decoding gives a `StoredPrediction`. */
export type EncodablePrediction = Omit<StoredPrediction, 'inputs' | 'outputs' | 'features'> & {
  /** Rows of named features, or the input matrix they are read from (encoded the same way). */
  readonly features?: StoredPrediction['features'] | FeatureMatrix;
  readonly inputs?: readonly EncodableTensor[];
  readonly outputs: readonly EncodableTensor[];
};

/**
 * A segment: the predictions of one model version from one append, encoded
 * as one compact binary value, so a store writes one row per batch instead of
 * one row (and four index entries) per prediction. On a one-core server that
 * is the difference between logging costing half its throughput and a few
 * per cent (docs/persistence.md, "Why segments").
 *
 * Layout (all integers little-endian):
 * - `PSG1` (4 bytes), then the header's length (u32) and the header (UTF-8
 *   JSON: `v`, `model`, `version`, `n` records, `base` time, the string table,
 *   the feature-row layouts (name lists) and tensor layouts (name, datatype, shape));
 * - the ids, 16 bytes each, in record order (so a lookup scans them without decoding);
 * - the records: time − base and latency (tagged numbers), request id
 *   (tagged string), principal / protocol / endpoint (string-table indices),
 *   a flag byte (trace id, features, inputs), the trace id (16 bytes, or a
 *   tagged string when it is not 32 hex digits), then the feature rows (per
 *   row: its layout index and one tagged value per name) or the input
 *   tensors, then the output tensors (per tensor: layout index, value count,
 *   tagged values).
 * Tagged values keep what JSON kept: null, booleans, integers and floats
 * exactly (4 bytes when a float32 or a uint32 holds them, else 8), strings
 * (16 bytes for a lower-case UUID), anything else as JSON text.
 */
export interface PredictionSegment {
  readonly model: string;
  readonly version: string;
  readonly count: number;
  /** Oldest and newest `time` of its records, epoch ms. */
  readonly minTime: number;
  readonly maxTime: number;
  /** Lowest and highest id (UUIDs compare as their lower-case text). */
  readonly minId: string;
  readonly maxId: string;
  readonly bytes: Uint8Array;
}

/**
 * Records of one segment lie within this many ms of each other, by `time` and
 * by the time in their UUIDv7 id: a store finds the segment of an id (or of a
 * time) by looking at most this far from it. The log writes a batch at least
 * every 200 ms, so its batches span less unless a request took seconds or the
 * store was down (then the batch is cut). Small, because a page read skips
 * this much of the log before its start.
 */
export const SEGMENT_SPAN_MS = 5_000;

/** Most records in one segment: a read of one prediction decodes at most this many. */
export const SEGMENT_MAX_RECORDS = 1024;

const MAGIC = [0x50, 0x53, 0x47, 0x31]; // PSG1

export const enum Tag { Null = 0, False = 1, True = 2, U32 = 3, F32 = 4, F64 = 5, Str = 6, Json = 7, Uuid = 8 }
export const enum Flag { Trace = 1, TraceText = 2, Features = 4, Inputs = 8 }

export interface Header {
  readonly v: 1;
  readonly model: string;
  readonly version: string;
  readonly n: number;
  readonly base: number;
  readonly strings: string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly tensors: Array<[string, string, number[]]>;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const LOWER = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) LOWER['0123456789abcdef'.charCodeAt(i)] = i;
const NIBBLE = Int8Array.from(LOWER);
for (let i = 0; i < 6; i++) NIBBLE['ABCDEF'.charCodeAt(i)] = 10 + i;

/**
 * Writes hex digits (dashes skipped) into `out` at `at`; false when `s` is
 * not `bytes`×2 hex digits with dashes only where a UUID has them (with
 * `lowerOnly`, lower-case digits only: what must come back as written).
 */
function hexInto(s: string, out: Uint8Array, at: number, bytes: number, lowerOnly = false): boolean {
  const digits = lowerOnly ? LOWER : NIBBLE;
  const dashed = bytes === 16 && s.length === 36;
  if (!dashed && s.length !== bytes * 2) return false;
  let j = 0;
  for (let i = 0; i < bytes; i++) {
    if (dashed && (j === 8 || j === 13 || j === 18 || j === 23)) {
      if (s.charCodeAt(j) !== 45) return false;
      j++;
    }
    const hi = digits[s.charCodeAt(j)] ?? -1;
    const lo = digits[s.charCodeAt(j + 1)] ?? -1;
    if (hi < 0 || lo < 0) return false;
    out[at + i] = (hi << 4) | lo;
    j += 2;
  }
  return true;
}

export function uuidText(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[at + i]!];
  }
  return s;
}

function hexText(b: Uint8Array, at: number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += HEX[b[at + i]!];
  return s;
}

/** The 16 bytes of a UUID (any version, either case, with its dashes), or undefined when `id` is not one. */
export function uuidBytes(id: string): Uint8Array | undefined {
  const b = new Uint8Array(16);
  return hexInto(id, b, 0, 16) ? b : undefined;
}

/** A UUIDv7's milliseconds (its first 48 bits); NaN when `id` is not a UUID. */
export function uuidTime(id: string): number {
  if (id.length !== 36 || id.charCodeAt(8) !== 45) return Number.NaN;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The highest UUID whose first 48 bits are `ms` (clamped to 0 … 2^48 − 1): the upper bound of an id range in SQL. */
export function uuidUpperBound(ms: number): string {
  const clamped = Math.max(0, Math.min(2 ** 48 - 1, Math.floor(ms)));
  const hex = clamped.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-ffff-ffff-ffffffffffff`;
}

/** A growable byte buffer with the little writes the encoder needs. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  at = 0;
  private readonly utf8 = new TextEncoder();

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(v: number): void {
    this.reserve(1);
    this.buf[this.at++] = v;
  }

  varint(v: number): void {
    this.reserve(5);
    while (v >= 0x80) {
      this.buf[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.at++] = v;
  }

  string(s: string): void {
    // Worst case 3 bytes per UTF-16 unit, after a 4-byte length.
    const n = s.length;
    this.reserve(4 + n * 3);
    const start = this.at;
    const buf = this.buf;
    // Short ASCII strings (request ids, labels) byte by byte: encodeInto's fixed cost is larger than the copy.
    if (n <= 64) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 4 + i] = c;
      }
      if (i === n) {
        this.view.setUint32(start, n, true);
        this.at = start + 4 + n;
        return;
      }
    }
    const { written } = this.utf8.encodeInto(s, buf.subarray(start + 4));
    this.view.setUint32(start, written, true);
    this.at = start + 4 + written;
  }

  /** A number as `value` tags it; the caller has reserved 9 bytes. */
  number(v: number): void {
    if (v >= 0 && v <= 0xffffffff && Number.isInteger(v) && !Object.is(v, -0)) {
      this.buf[this.at] = Tag.U32;
      this.view.setUint32(this.at + 1, v, true);
      this.at += 5;
    } else if (Math.fround(v) === v || Number.isNaN(v)) {
      this.buf[this.at] = Tag.F32;
      this.view.setFloat32(this.at + 1, v, true);
      this.at += 5;
    } else {
      this.buf[this.at] = Tag.F64;
      this.view.setFloat64(this.at + 1, v, true);
      this.at += 9;
    }
  }

  value(v: unknown): void {
    this.reserve(9);
    if (typeof v === 'number') {
      this.number(v);
    } else if (typeof v === 'string') {
      // Request ids Ponte makes (and many callers send) are UUIDs: 16 bytes instead of 40.
      if (v.length === 36) {
        this.reserve(17);
        if (hexInto(v, this.buf, this.at + 1, 16, true)) {
          this.buf[this.at] = Tag.Uuid;
          this.at += 17;
          return;
        }
      }
      this.buf[this.at++] = Tag.Str;
      this.string(v);
    } else if (v === null || v === undefined) {
      this.buf[this.at++] = Tag.Null;
    } else if (v === true || v === false) {
      this.buf[this.at++] = v ? Tag.True : Tag.False;
    } else {
      this.buf[this.at++] = Tag.Json;
      this.string(JSON.stringify(v));
    }
  }
}

/** Interns strings and layouts for one segment's header. */
class Tables {
  readonly strings: string[] = [];
  readonly rows: Array<readonly string[]> = [];
  readonly tensors: Array<[string, string, number[]]> = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly tensorIndex = new Map<string, number>();
  private lastRowKeys: readonly string[] | undefined;
  lastRowLayout = -1;

  string(s: string): number {
    const known = this.strings;
    for (let k = 0; k < known.length && k < 4; k++) if (known[k] === s) return k;
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  /**
   * The names of a feature row, in its order, and its layout in `lastRowLayout`:
   * rows of one model share the previous row's names, checked by walking the
   * row's keys without building an array.
   */
  rowNames(row: Readonly<Record<string, unknown>>): readonly string[] {
    const last = this.lastRowKeys;
    if (last !== undefined) {
      let i = 0;
      let same = true;
      for (const k in row) {
        if (last[i] !== k) { same = false; break; }
        i++;
      }
      if (same && i === last.length) return last;
    }
    const keys = Object.keys(row);
    this.row(keys);
    return keys;
  }

  /** The layout of a feature row: rows of one model nearly always share the previous row's names, checked without building a key. */
  row(keys: readonly string[]): number {
    const last = this.lastRowKeys;
    if (last === keys) return this.lastRowLayout;
    if (last !== undefined && last.length === keys.length) {
      let same = true;
      for (let i = 0; i < keys.length; i++) if (last[i] !== keys[i]) { same = false; break; }
      if (same) return this.lastRowLayout;
    }
    let found = this.rows.findIndex((r) => r.length === keys.length && r.every((k, i) => k === keys[i]));
    if (found < 0) {
      found = this.rows.length;
      this.rows.push(keys);
    }
    this.lastRowKeys = keys;
    this.lastRowLayout = found;
    return found;
  }

  tensor(t: EncodableTensor): number {
    // Records of one model version repeat the same few tensor layouts: compare with each known one before building a key.
    const known = this.tensors;
    for (let i = 0; i < known.length && i < 8; i++) {
      const k = known[i]!;
      if (k[0] === t.name && k[1] === t.datatype && sameShape(k[2], t.shape)) return i;
    }
    const key = `${t.name}\u0000${t.datatype}\u0000${t.shape.join(',')}`;
    let i = this.tensorIndex.get(key);
    if (i === undefined) {
      i = this.tensors.length;
      this.tensors.push([t.name, t.datatype, [...t.shape]]);
      this.tensorIndex.set(key, i);
    }
    return i;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function writeTensors(w: Writer, tables: Tables, tensors: readonly EncodableTensor[]): void {
  w.varint(tensors.length);
  for (const t of tensors) {
    w.varint(tables.tensor(t));
    const data = t.data;
    w.varint(data.length);
    if (!ArrayBuffer.isView(data)) {
      for (let i = 0; i < data.length; i++) w.value(data[i]);
      continue;
    }
    // Typed arrays as tensorDataToJson would have turned them into JSON values, without the copy.
    switch (t.datatype) {
      case 'BOOL': for (let i = 0; i < data.length; i++) w.value((data as Uint8Array)[i] !== 0); break;
      case 'FP16': for (let i = 0; i < data.length; i++) w.value(finiteOrNull(halfToNumber((data as Uint16Array)[i]!))); break;
      case 'INT64': case 'UINT64': for (let i = 0; i < data.length; i++) w.value(Number((data as BigInt64Array)[i]!)); break;
      case 'FP32': case 'FP64': for (let i = 0; i < data.length; i++) w.value(finiteOrNull((data as Float32Array)[i]!)); break;
      default: for (let i = 0; i < data.length; i++) w.value((data as Int32Array)[i]!);
    }
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The first 48 bits of the 16-byte id at `at`: a UUIDv7's milliseconds. */
function idMs(b: Uint8Array, at: number): number {
  return b[at]! * 2 ** 40 + b[at + 1]! * 2 ** 32 + ((b[at + 2]! << 24) >>> 0) + (b[at + 3]! << 16) + (b[at + 4]! << 8) + b[at + 5]!;
}

/** -1, 0 or 1 as the 16-byte ids at `a` and `b` compare (the order of their lower-case text). */
export function compareIds(buf: Uint8Array, a: number, b: number): number {
  for (let k = 0; k < 16; k++) {
    const d = buf[a + k]! - buf[b + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Encodes one model version's records into a segment as they come, so a
 * caller that gathers a batch over time keeps bytes, not the records'
 * objects (which would otherwise live long enough to be promoted and cost
 * major garbage collections). `add` refuses a record that would break the
 * segment's limits (count, span by time or by id); the caller finishes the
 * segment and starts another.
 *
 * @example
 * ```ts
 * const b = new SegmentBuilder('purchase', '1');
 * if (!b.add(record)) { segments.push(b.finish()); … }
 * ```
 */
export class SegmentBuilder {
  private readonly ids = new Writer(4096);
  private readonly body = new Writer(16_384);
  private tables = new Tables();
  private base = 0;
  private minTime = Infinity;
  private maxTime = -Infinity;
  private lo = 0;
  private hi = 0;
  private loMs = Infinity;
  private hiMs = -Infinity;
  count = 0;

  constructor(readonly model: string, readonly version: string) {}

  /**
   * Appends a record of this model version; false (nothing written) when the
   * segment is full or the record lies more than `SEGMENT_SPAN_MS` from the
   * others. An id that is not a UUID is refused with `PONTE_BAD_REQUEST`.
   */
  add(r: EncodablePrediction): boolean {
    if (this.count >= SEGMENT_MAX_RECORDS) return false;
    const w = this.ids;
    w.reserve(16);
    const at = w.at;
    if (!hexInto(r.id, w.buf, at, 16)) throw new PonteError('PONTE_BAD_REQUEST', `prediction id ${JSON.stringify(r.id)} is not a UUID`);
    const ms = idMs(w.buf, at);
    const t = r.time;
    if (this.count > 0) {
      if (Math.max(this.maxTime, t) - Math.min(this.minTime, t) > SEGMENT_SPAN_MS) return false;
      if (!(Math.max(this.hiMs, ms) - Math.min(this.loMs, ms) <= SEGMENT_SPAN_MS)) return false;
    } else {
      this.base = t;
    }
    w.at += 16;
    if (this.count === 0 || compareIds(w.buf, at, this.lo) < 0) this.lo = at;
    if (this.count === 0 || compareIds(w.buf, at, this.hi) > 0) this.hi = at;
    if (ms < this.loMs) this.loMs = ms;
    if (ms > this.hiMs) this.hiMs = ms;
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    this.count++;
    this.writeRecord(r);
    return true;
  }

  /**
   * The segment of the records added so far (at least one), and the builder
   * emptied for the next: its buffers, grown to a segment's size, are kept
   * (allocating them for every segment made the garbage collector run more).
   */
  finish(): PredictionSegment {
    const tables = this.tables;
    const header: Header = { v: 1, model: this.model, version: this.version, n: this.count, base: this.base, strings: tables.strings, rows: tables.rows, tensors: tables.tensors };
    const head = new TextEncoder().encode(JSON.stringify(header));
    const ids = this.ids;
    const body = this.body;
    // Every byte is written below: no zero-fill, and never a slice of Buffer's shared pool (the store may transfer `bytes.buffer` to a thread).
    const size = 8 + head.length + ids.at + body.at;
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
    bytes.set(MAGIC, 0);
    new DataView(bytes.buffer).setUint32(4, head.length, true);
    bytes.set(head, 8);
    bytes.set(ids.buf.subarray(0, ids.at), 8 + head.length);
    bytes.set(body.buf.subarray(0, body.at), 8 + head.length + ids.at);
    const segment = { model: this.model, version: this.version, count: this.count, minTime: this.minTime, maxTime: this.maxTime, minId: uuidText(ids.buf, this.lo), maxId: uuidText(ids.buf, this.hi), bytes };
    ids.at = 0;
    body.at = 0;
    this.tables = new Tables();
    this.minTime = Infinity;
    this.maxTime = -Infinity;
    this.loMs = Infinity;
    this.hiMs = -Infinity;
    this.count = 0;
    return segment;
  }

  private writeRecord(r: EncodablePrediction): void {
    const w = this.body;
    const tables = this.tables;
    w.value(r.time - this.base);
    w.value(r.latencyMs);
    w.value(r.requestId);
    w.varint(tables.string(r.principal));
    w.varint(tables.string(r.protocol));
    w.varint(tables.string(r.endpoint));
    const trace = r.traceId;
    const flagAt = w.at;
    w.byte(0);
    let flags = 0;
    if (trace !== undefined) {
      w.reserve(16);
      if (hexInto(trace, w.buf, w.at, 16)) {
        flags |= Flag.Trace;
        w.at += 16;
      } else {
        flags |= Flag.TraceText;
        w.string(trace);
      }
    }
    const features = r.features;
    if (features instanceof FeatureMatrix) {
      flags |= Flag.Features;
      w.varint(features.rows);
      const layout = tables.row(features.names);
      const data = features.tensor.data;
      if (data instanceof Float32Array) {
        // The common matrix (FP32 features): its values straight from the array, as `value` would tag them.
        const { columns, width } = features;
        for (let row = 0; row < features.rows; row++) {
          w.varint(layout);
          w.reserve(9 * columns.length);
          for (let k = 0; k < columns.length; k++) w.number(data[row * width + columns[k]!]!);
        }
      } else {
        for (let row = 0; row < features.rows; row++) {
          w.varint(layout);
          for (let k = 0; k < features.names.length; k++) w.value(features.value(row, k));
        }
      }
    } else if (features !== undefined) {
      flags |= Flag.Features;
      w.varint(features.length);
      for (const row of features) {
        const names = tables.rowNames(row);
        w.varint(tables.lastRowLayout);
        for (let i = 0; i < names.length; i++) w.value(row[names[i]!]);
      }
    }
    if (r.inputs !== undefined) {
      flags |= Flag.Inputs;
      writeTensors(w, tables, r.inputs);
    }
    writeTensors(w, tables, r.outputs);
    w.buf[flagAt] = flags;
  }
}

/** Builds segments of one model version's records in the given order, cutting where a record does not fit. */
function build(records: readonly StoredPrediction[], out: PredictionSegment[]): number {
  const first = records[0]!;
  let b = new SegmentBuilder(first.model, first.version);
  let made = 0;
  for (const r of records) {
    if (b.add(r)) continue;
    out.push(b.finish());
    made++;
    b = new SegmentBuilder(first.model, first.version);
    b.add(r);
  }
  out.push(b.finish());
  return made + 1;
}

/**
 * Encodes appended records as segments: one per model version, cut so that
 * each holds at most `SEGMENT_MAX_RECORDS` records within `SEGMENT_SPAN_MS`
 * (by time and by id). A batch from the prediction log (one model, 200 ms)
 * is one segment. A batch that does not fit in order (a backlog, out of
 * order) is cut after sorting by time. An id that is not a UUID is refused
 * (`PONTE_BAD_REQUEST`).
 *
 * @example
 * ```ts
 * for (const s of toSegments(records)) insert.run(s.model, s.version, s.minTime, s.maxTime, s.minId, s.maxId, s.count, s.bytes);
 * ```
 */
export function toSegments(records: readonly StoredPrediction[]): PredictionSegment[] {
  if (records.length === 0) return [];
  const groups = new Map<string, StoredPrediction[]>();
  for (const r of records) {
    const key = `${r.model}\u0000${r.version}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [r]);
    else g.push(r);
  }
  const out: PredictionSegment[] = [];
  for (const g of groups.values()) {
    const start = out.length;
    const made = build(g, out);
    // More pieces than the count alone needs: the span cut them; in time order they cut least.
    if (made > Math.ceil(g.length / SEGMENT_MAX_RECORDS)) {
      out.length = start;
      build([...g].sort((a, b) => a.time - b.time), out);
    }
  }
  return out;
}

/** Reads a segment back (also segment-view.ts's reader). */
export class Reader {
  readonly view: DataView;
  at: number;
  private readonly utf8 = new TextDecoder();

  constructor(readonly buf: Uint8Array, at: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.at = at;
  }

  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  }

  string(): string {
    const n = this.view.getUint32(this.at, true);
    const start = this.at + 4;
    this.at = start + n;
    // Short ASCII strings by hand: TextDecoder's fixed cost is larger than the copy.
    if (n <= 64) {
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = this.buf[i]!;
        if (c >= 0x80) return this.utf8.decode(this.buf.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.utf8.decode(this.buf.subarray(start, start + n));
  }

  /** Steps over one tagged value without building it. */
  skip(): void {
    const tag = this.buf[this.at++];
    switch (tag) {
      case Tag.Null: case Tag.False: case Tag.True: return;
      case Tag.U32: case Tag.F32: this.at += 4; return;
      case Tag.F64: this.at += 8; return;
      case Tag.Str: case Tag.Json: this.at += 4 + this.view.getUint32(this.at, true); return;
      case Tag.Uuid: this.at += 16; return;
      default: throw new Error(`prediction segment: unknown value tag ${String(tag)} at byte ${this.at - 1}`);
    }
  }

  value(): unknown {
    const tag = this.buf[this.at++];
    switch (tag) {
      case Tag.Null: return null;
      case Tag.False: return false;
      case Tag.True: return true;
      case Tag.U32: { const v = this.view.getUint32(this.at, true); this.at += 4; return v; }
      case Tag.F32: { const v = this.view.getFloat32(this.at, true); this.at += 4; return v; }
      case Tag.F64: { const v = this.view.getFloat64(this.at, true); this.at += 8; return v; }
      case Tag.Str: return this.string();
      case Tag.Json: return JSON.parse(this.string()) as unknown;
      case Tag.Uuid: { const v = uuidText(this.buf, this.at); this.at += 16; return v; }
      default: throw new Error(`prediction segment: unknown value tag ${String(tag)} at byte ${this.at - 1}`);
    }
  }
}

export function readHeader(bytes: Uint8Array): { header: Header; body: number } {
  if (bytes.length < 8 || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2] || bytes[3] !== MAGIC[3]) {
    throw new Error('not a prediction segment (no PSG1 mark)');
  }
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Header;
  if (header.v !== 1) throw new Error(`prediction segment version ${String(header.v)} is newer than this Ponte reads`);
  return { header, body: 8 + len };
}

function readTensors(r: Reader, h: Header): StoredTensor[] {
  const count = r.varint();
  const out: StoredTensor[] = new Array<StoredTensor>(count);
  for (let t = 0; t < count; t++) {
    const [name, datatype, shape] = h.tensors[r.varint()]!;
    const n = r.varint();
    const data = new Array<number | boolean | string | null>(n);
    for (let i = 0; i < n; i++) data[i] = r.value() as number | boolean | string | null;
    out[t] = { name, datatype: datatype as StoredTensor['datatype'], shape: [...shape], data };
  }
  return out;
}

/**
 * The records of a segment, in the order they were appended, each equal to
 * what was appended (ids in lower case). Throws on bytes that are not a
 * segment (a store's corruption, not a caller's mistake).
 *
 * @example
 * ```ts
 * const records = decodeSegment(row.body);
 * ```
 */
export function decodeSegment(bytes: Uint8Array): StoredPrediction[] {
  const { header: h, body } = readHeader(bytes);
  const ids = body;
  const r = new Reader(bytes, body + h.n * 16);
  const out = new Array<StoredPrediction>(h.n);
  for (let i = 0; i < h.n; i++) {
    const time = h.base + (r.value() as number);
    const latencyMs = r.value() as number;
    const requestId = r.value() as string;
    const principal = h.strings[r.varint()]!;
    const protocol = h.strings[r.varint()]!;
    const endpoint = h.strings[r.varint()]!;
    const flags = r.buf[r.at++]!;
    const rec: { -readonly [K in keyof StoredPrediction]: StoredPrediction[K] } = {
      id: uuidText(bytes, ids + i * 16), time, model: h.model, version: h.version, requestId,
    } as StoredPrediction;
    if (flags & Flag.Trace) {
      rec.traceId = hexText(bytes, r.at, 16);
      r.at += 16;
    } else if (flags & Flag.TraceText) {
      rec.traceId = r.string();
    }
    rec.principal = principal;
    rec.protocol = protocol;
    rec.endpoint = endpoint;
    if (flags & Flag.Features) {
      const rows = r.varint();
      const features = new Array<Record<string, unknown>>(rows);
      for (let k = 0; k < rows; k++) {
        const names = h.rows[r.varint()]!;
        const row: Record<string, unknown> = {};
        for (const name of names) row[name] = r.value();
        features[k] = row;
      }
      rec.features = features;
    }
    if (flags & Flag.Inputs) rec.inputs = readTensors(r, h);
    rec.outputs = readTensors(r, h);
    rec.latencyMs = latencyMs;
    out[i] = rec;
  }
  return out;
}

/**
 * Where the record with this id is in the segment (its index in append
 * order), or -1: compares 16-byte ids without decoding the records.
 */
export function segmentIndexOf(bytes: Uint8Array, id: string): number {
  const want = uuidBytes(id);
  if (want === undefined) return -1;
  const { header, body } = readHeader(bytes);
  outer: for (let i = 0; i < header.n; i++) {
    const at = body + i * 16;
    for (let k = 0; k < 16; k++) if (bytes[at + k] !== want[k]) continue outer;
    return i;
  }
  return -1;
}

/** The ids of a segment's records, in append order, without decoding the records. */
export function segmentIds(bytes: Uint8Array): string[] {
  const { header, body } = readHeader(bytes);
  const out = new Array<string>(header.n);
  for (let i = 0; i < header.n; i++) out[i] = uuidText(bytes, body + i * 16);
  return out;
}
