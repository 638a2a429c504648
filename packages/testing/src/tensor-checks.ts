import assert from 'node:assert/strict';
import { DATA_TYPES, elementCount, isDataType, type Tensor, type TensorSpec } from '@ponte/core';

/** A signature's tensor list is usable: non-empty, unique names, OIP datatypes, integer dimensions (-1 dynamic). */
export function assertSpecs(specs: readonly TensorSpec[], what: string): void {
  assert.ok(Array.isArray(specs) && specs.length > 0, `signature.${what}: a non-empty list`);
  const names = new Set<string>();
  specs.forEach((s, i) => {
    assert.ok(typeof s.name === 'string' && s.name !== '', `signature.${what}[${i}].name: a non-empty string`);
    assert.ok(!names.has(s.name), `signature.${what}[${i}].name: "${s.name}" appears twice`);
    names.add(s.name);
    assert.ok(isDataType(s.datatype), `signature.${what}[${i}].datatype: an OIP datatype, got ${String(s.datatype)}`);
    assert.ok(Array.isArray(s.shape) && s.shape.every((d: number) => Number.isInteger(d) && d >= -1), `signature.${what}[${i}].shape: integers, -1 for dynamic, got ${JSON.stringify(s.shape)}`);
  });
}

/** A tensor has its spec's name and datatype, a shape the spec allows, and as many elements as its shape says. */
export function assertTensorFits(t: Tensor, spec: TensorSpec, where: string): void {
  assert.equal(t.datatype, spec.datatype, `${where}: datatype ${t.datatype}, the signature declares ${spec.datatype}`);
  assert.ok(Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d) && d >= 0), `${where}: shape of non-negative integers, got ${JSON.stringify(t.shape)}`);
  assert.equal(t.shape.length, spec.shape.length, `${where}: shape ${JSON.stringify(t.shape)} has another rank than the declared ${JSON.stringify(spec.shape)}`);
  spec.shape.forEach((d, i) => {
    if (d !== -1) assert.equal(t.shape[i], d, `${where}: dimension ${i} is ${t.shape[i]}, the signature fixes it at ${d}`);
  });
  assert.equal(t.data.length, elementCount(t.shape), `${where}: ${t.data.length} elements for shape ${JSON.stringify(t.shape)}`);
  const ctor = DATA_TYPES[t.datatype].ctor;
  if (ctor === null) assert.ok(Array.isArray(t.data), `${where}: BYTES data as an array of strings`);
  else assert.ok(t.data instanceof ctor, `${where}: ${t.datatype} data as a ${ctor.name}, got ${t.data.constructor.name}`);
}

/** The values of a tensor as numbers or strings, for comparisons. */
export function valuesOf(t: Tensor): Array<number | string> {
  return Array.from(t.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** The rows of a batch, repeated: the tensors of a request twice as long along the first dimension. */
export function doubled(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((t) => {
    const ctor = DATA_TYPES[t.datatype].ctor;
    const data = ctor === null
      ? [...(t.data as string[]), ...(t.data as string[])]
      : (() => {
          const out = new ctor(t.data.length * 2) as unknown as { set(a: ArrayLike<unknown>, offset?: number): void };
          out.set(t.data as ArrayLike<unknown>);
          out.set(t.data as ArrayLike<unknown>, t.data.length);
          return out as unknown as Tensor['data'];
        })();
    return { ...t, shape: [t.shape[0]! * 2, ...t.shape.slice(1)], data };
  });
}
