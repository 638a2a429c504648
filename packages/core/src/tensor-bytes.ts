import { PonteError } from './errors.js';
import { DATA_TYPES, elementCount, halfToNumber, type DataType, type Tensor, type TensorData } from './tensor.js';

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

/**
 * Reads a tensor from raw little-endian bytes (the binary tensor extension,
 * gRPC raw contents). BYTES elements are 4-byte length-prefixed.
 *
 * @example
 * ```ts
 * decodeBinaryTensor(bytes, 'FP32', [1, 8], 'inputs[0]'); // Float32Array(8)
 * ```
 */
export function decodeBinaryTensor(bytes: Uint8Array, datatype: DataType, shape: number[], path: string): TensorData {
  const n = elementCount(shape);
  const info = DATA_TYPES[datatype];
  if (info.kind === 'bytes') {
    const out: string[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    const dec = new TextDecoder();
    while (off < bytes.byteLength) {
      if (off + 4 > bytes.byteLength) throw bad(`${path}: truncated BYTES element length at byte ${off}`);
      const len = view.getUint32(off, true);
      off += 4;
      if (off + len > bytes.byteLength) throw bad(`${path}: BYTES element ${out.length} runs past the end of its data`);
      out.push(dec.decode(bytes.subarray(off, off + len)));
      off += len;
    }
    if (out.length !== n) throw bad(`${path}: shape [${shape.join(', ')}] needs ${n} elements, got ${out.length}`);
    return out;
  }
  if (bytes.byteLength !== n * info.size) throw bad(`${path}: shape [${shape.join(', ')}] of ${datatype} needs ${n * info.size} bytes, got ${bytes.byteLength}`);
  // Copy into a fresh, aligned buffer: the request buffer may be unaligned for the element size.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const Ctor = info.ctor as unknown as new (b: ArrayBuffer, o: number, l: number) => Exclude<TensorData, string[]>;
  const data = new Ctor(copy.buffer, 0, n);
  if (datatype === 'BOOL') for (let i = 0; i < n; i++) if ((data as Uint8Array)[i]! > 1) throw bad(`${path}[${i}]: BOOL bytes must be 0 or 1`);
  return data;
}

/**
 * Raw little-endian bytes of a tensor (the binary tensor extension, gRPC raw contents).
 *
 * @example
 * ```ts
 * encodeBinaryTensor({ name: 'y', datatype: 'FP32', shape: [1], data: new Float32Array([0.5]) }); // 4 bytes
 * ```
 */
export function encodeBinaryTensor(t: Tensor): Uint8Array {
  if (Array.isArray(t.data)) {
    const enc = new TextEncoder();
    const parts = t.data.map((s) => enc.encode(s));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
    const view = new DataView(out.buffer);
    let off = 0;
    for (const p of parts) {
      view.setUint32(off, p.byteLength, true);
      out.set(p, off + 4);
      off += 4 + p.byteLength;
    }
    return out;
  }
  const d = t.data as Exclude<TensorData, string[]>;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Plain JSON values of a tensor's data (flat, row-major; non-finite floats as null).
 *
 * @example
 * ```ts
 * tensorDataToJson({ name: 'y', datatype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) }); // [true, false]
 * ```
 */
export function tensorDataToJson(t: Tensor): Array<number | boolean | string | null> {
  const d = t.data;
  if (Array.isArray(d)) return d;
  const n = d.length;
  const out = new Array<number | boolean | string | null>(n);
  switch (t.datatype) {
    case 'BOOL': for (let i = 0; i < n; i++) out[i] = (d as Uint8Array)[i] !== 0; break;
    case 'FP16': for (let i = 0; i < n; i++) out[i] = finiteOrNull(halfToNumber((d as Uint16Array)[i]!)); break;
    case 'INT64': case 'UINT64': for (let i = 0; i < n; i++) out[i] = Number((d as BigInt64Array)[i]!); break;
    case 'FP32': case 'FP64': for (let i = 0; i < n; i++) out[i] = finiteOrNull((d as Float32Array)[i]!); break;
    default: for (let i = 0; i < n; i++) out[i] = (d as Int32Array)[i]!;
  }
  return out;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
