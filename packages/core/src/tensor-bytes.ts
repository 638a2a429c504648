import { PonteError } from './errors.js';
import { DATA_TYPES, elementCount, type DataType, type Tensor, type TensorData } from './tensor.js';

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
