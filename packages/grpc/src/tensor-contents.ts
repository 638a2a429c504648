import { allocate, DATA_TYPES, elementCount, PonteError, type DataType, type Tensor, type TensorData } from '@ponte/core';
import type { ContentsField, InferTensorContents } from './messages.js';

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

/**
 * The typed `contents` field that carries each datatype. FP16 has none: the
 * spec says half floats travel only as raw bytes.
 *
 * @example
 * ```ts
 * CONTENTS_FIELD.INT8; // 'int_contents'
 * ```
 */
export const CONTENTS_FIELD: Readonly<Record<DataType, ContentsField | null>> = Object.freeze({
  BOOL: 'bool_contents',
  INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP16: null,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
});

const ALL_FIELDS: readonly ContentsField[] = ['bool_contents', 'int_contents', 'int64_contents', 'uint_contents', 'uint64_contents', 'fp32_contents', 'fp64_contents', 'bytes_contents'];

/** The `contents` fields that hold at least one value. */
export function filledContentsFields(contents: InferTensorContents | null | undefined): ContentsField[] {
  if (contents === undefined || contents === null) return [];
  return ALL_FIELDS.filter((f) => Array.isArray(contents[f]) && contents[f]!.length > 0);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function toBigInt(v: unknown, path: string): bigint {
  try {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) return BigInt(v);
  } catch {
    // fall through to the message below
  }
  throw bad(`${path}: must be an integer`);
}

/**
 * Reads a tensor's typed `contents` into Ponte's storage for `datatype`,
 * checking that only the datatype's own field is used, that it holds exactly
 * the shape's element count, and that each value fits the datatype. Nothing
 * is allocated before the count is checked.
 *
 * @example
 * ```ts
 * decodeContents({ int_contents: [1, -2] }, 'INT8', [2], 'inputs[0].contents'); // Int8Array [1, -2]
 * ```
 */
export function decodeContents(contents: InferTensorContents | null | undefined, datatype: DataType, shape: number[], path: string): TensorData {
  const n = elementCount(shape);
  const field = CONTENTS_FIELD[datatype];
  const filled = filledContentsFields(contents);
  if (field === null) {
    if (filled.length > 0 || n > 0) throw bad(`${path}: FP16 has no typed contents field; send FP16 tensors in raw_input_contents`);
    return allocate(datatype, 0);
  }
  const others = filled.filter((f) => f !== field);
  if (others.length > 0) throw bad(`${path}: datatype ${datatype} takes ${field}, got ${others.join(', ')}`);
  if (n > 0 && filled.length === 0) throw bad(`${path}.${field}: is required (or send every input in raw_input_contents)`);
  const values = (contents?.[field] ?? []) as ArrayLike<unknown>;
  const fpath = `${path}.${field}`;
  if (values.length !== n) throw bad(`${fpath}: shape [${shape.join(', ')}] needs ${n} elements, got ${values.length}`);
  const out = allocate(datatype, n);
  const info = DATA_TYPES[datatype];
  switch (info.kind) {
    case 'bool': {
      const o = out as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = values[i] === true ? 1 : 0;
      break;
    }
    case 'int': case 'uint': {
      const o = out as Int32Array;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${fpath}[${i}]: must be an integer for ${datatype}`);
        if (v < info.min! || v > info.max!) throw bad(`${fpath}[${i}]: ${v} is outside the ${datatype} range [${info.min}, ${info.max}]`);
        o[i] = v;
      }
      break;
    }
    case 'bigint': case 'biguint': {
      const o = out as BigInt64Array;
      const [min, max] = info.kind === 'bigint' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      for (let i = 0; i < n; i++) {
        const v = toBigInt(values[i], `${fpath}[${i}]`);
        if (v < min || v > max) throw bad(`${fpath}[${i}]: ${v} is outside the ${datatype} range`);
        o[i] = v;
      }
      break;
    }
    case 'float': {
      const o = out as Float64Array;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw bad(`${fpath}[${i}]: must be a number for ${datatype}`);
        o[i] = v;
      }
      break;
    }
    case 'bytes': {
      const o = out as string[];
      const dec = new TextDecoder();
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (!(v instanceof Uint8Array)) throw bad(`${fpath}[${i}]: must be bytes`);
        o[i] = dec.decode(v);
      }
      break;
    }
    case 'half':
      break; // unreachable: FP16 returned above
  }
  return out;
}

/**
 * Writes a tensor's data into the typed `contents` field of its datatype.
 * INT64/UINT64 go out as decimal strings so no precision is lost. FP16 has
 * no typed field: callers send responses with FP16 outputs as raw bytes.
 */
export function encodeContents(t: Tensor): InferTensorContents {
  const d = t.data as ArrayLike<number | bigint | string>;
  switch (t.datatype) {
    case 'BOOL': return { bool_contents: Array.from(d as ArrayLike<number>, (v) => v !== 0 && (v as unknown) !== false) };
    case 'INT8': case 'INT16': case 'INT32': return { int_contents: Array.from(d as ArrayLike<number>) };
    case 'UINT8': case 'UINT16': case 'UINT32': return { uint_contents: Array.from(d as ArrayLike<number>) };
    case 'INT64': return { int64_contents: Array.from(d, (v) => String(v)) };
    case 'UINT64': return { uint64_contents: Array.from(d, (v) => String(v)) };
    case 'FP32': return { fp32_contents: Array.from(d as ArrayLike<number>) };
    case 'FP64': return { fp64_contents: Array.from(d as ArrayLike<number>) };
    case 'BYTES': return { bytes_contents: Array.from(d, (v) => Buffer.from(String(v), 'utf8')) };
    case 'FP16': throw new PonteError('PONTE_INTERNAL', 'FP16 outputs must be sent as raw_output_contents');
  }
}
