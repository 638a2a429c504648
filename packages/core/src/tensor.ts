/**
 * Tensors as every protocol and model format in Ponte sees them: a name, an
 * Open Inference Protocol datatype, a shape and flat row-major data in the
 * matching typed array.
 *
 * @example
 * ```ts
 * const t: Tensor = { name: 'input', datatype: 'FP32', shape: [1, 8], data: new Float32Array(8) };
 * ```
 */
export type DataType =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

/** Element storage per datatype. BOOL is one byte (0/1); FP16 is raw IEEE half bits; BYTES are strings. */
export type TensorData =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Float32Array | Float64Array | string[];

export interface Tensor {
  name: string;
  datatype: DataType;
  shape: number[];
  data: TensorData;
  parameters?: Record<string, Parameter>;
}

/** An OIP parameter value. */
export type Parameter = string | number | boolean;

type TypedArrayCtor = { new (n: number): Exclude<TensorData, string[]>; BYTES_PER_ELEMENT: number };

interface DataTypeInfo {
  /** Bytes per element, 0 for BYTES. */
  size: number;
  ctor: TypedArrayCtor | null;
  kind: 'bool' | 'int' | 'uint' | 'float' | 'bigint' | 'biguint' | 'half' | 'bytes';
  min?: number;
  max?: number;
}

export const DATA_TYPES: Record<DataType, DataTypeInfo> = {
  BOOL: { size: 1, ctor: Uint8Array, kind: 'bool' },
  UINT8: { size: 1, ctor: Uint8Array, kind: 'uint', min: 0, max: 255 },
  UINT16: { size: 2, ctor: Uint16Array, kind: 'uint', min: 0, max: 65535 },
  UINT32: { size: 4, ctor: Uint32Array, kind: 'uint', min: 0, max: 4294967295 },
  UINT64: { size: 8, ctor: BigUint64Array as unknown as TypedArrayCtor, kind: 'biguint', min: 0, max: Number.MAX_SAFE_INTEGER },
  INT8: { size: 1, ctor: Int8Array, kind: 'int', min: -128, max: 127 },
  INT16: { size: 2, ctor: Int16Array, kind: 'int', min: -32768, max: 32767 },
  INT32: { size: 4, ctor: Int32Array, kind: 'int', min: -2147483648, max: 2147483647 },
  INT64: { size: 8, ctor: BigInt64Array as unknown as TypedArrayCtor, kind: 'bigint', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  FP16: { size: 2, ctor: Uint16Array, kind: 'half' },
  FP32: { size: 4, ctor: Float32Array, kind: 'float' },
  FP64: { size: 8, ctor: Float64Array, kind: 'float' },
  BYTES: { size: 0, ctor: null, kind: 'bytes' },
};

export function isDataType(s: unknown): s is DataType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DATA_TYPES, s);
}

/** Number of elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates zeroed storage for `n` elements of `datatype`. */
export function allocate(datatype: DataType, n: number): TensorData {
  const info = DATA_TYPES[datatype];
  if (info.ctor === null) return new Array<string>(n).fill('');
  return new info.ctor(n);
}

/** Converts an IEEE-754 half (as raw bits) to a JS number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Converts a JS number to IEEE-754 half bits (round to nearest even). */
export function numberToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    if ((mant >> (shift - 1)) & 1 && (mant & ((1 << (shift - 1)) - 1) || h & 1)) h++;
    return sign | h;
  }
  let h = sign | (e << 10) | (mant >> 13);
  if (mant & 0x1000 && (mant & 0xfff || h & 1)) h++;
  return h;
}

/** Reads element `i` of a tensor as a JS value (number, boolean or string). */
export function elementAt(t: Tensor, i: number): number | boolean | string {
  const d = t.data;
  if (Array.isArray(d)) return d[i]!;
  if (t.datatype === 'BOOL') return (d as Uint8Array)[i] !== 0;
  if (t.datatype === 'FP16') return halfToNumber((d as Uint16Array)[i]!);
  const v = (d as ArrayLike<number | bigint>)[i]!;
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Shape as a string for messages: `[1, 8]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
