import { allocate, elementCount, type LoadedModel, type RunRequest, type Tensor, type TensorData } from '@ponte/core';

type Numeric = Exclude<TensorData, string[]>;

/**
 * Some ONNX Runtime kernels take a different code path for a single row than
 * for several (ai.onnx.ml `LinearClassifier` does), so a row's last bits would
 * depend on whether the batcher grouped it with others. `needsPairing` finds
 * out at load time; `PairedSingleRows` then runs every lone row as a pair (the
 * row twice) and returns the first, so answers are bit-identical with and
 * without batching. Models where it does not matter pay nothing.
 */
export async function needsPairing(model: LoadedModel): Promise<boolean> {
  const specs = model.signature.inputs;
  if (specs.some((s) => s.shape[0] !== -1 || (s.datatype !== 'FP32' && s.datatype !== 'FP64'))) return false;
  const rows = 3;
  const inputs: Tensor[] = specs.map((s, k) => {
    const shape = [rows, ...s.shape.slice(1).map((d) => (d < 0 ? 1 : d))];
    const data = allocate(s.datatype, elementCount(shape)) as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(12.9898 * (i + 1) + 78.233 * (k + 1)) * 7;
    return { name: s.name, datatype: s.datatype, shape, data };
  });
  const together = await model.run({ inputs });
  for (let r = 0; r < rows; r++) {
    const alone = await model.run({ inputs: inputs.map((t) => sliceRows(t, r, 1)) });
    for (let o = 0; o < alone.length; o++) {
      const a = alone[o]!.data;
      const t = together[o]!.data;
      const width = a.length;
      if (Array.isArray(a)) continue;
      for (let i = 0; i < width; i++) if ((a as Numeric)[i] !== (t as Numeric)[r * width + i]) return true;
    }
  }
  return false;
}

function sliceRows(t: Tensor, start: number, rows: number): Tensor {
  const width = t.data.length / t.shape[0]!;
  const data = (t.data as Numeric).slice(start * width, (start + rows) * width) as TensorData;
  return { name: t.name, datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data };
}

function doubled(t: Tensor): Tensor {
  const d = t.data as Numeric & { set(a: ArrayLike<number | bigint>, o: number): void };
  const data = allocate(t.datatype, d.length * 2) as typeof d;
  data.set(d, 0);
  data.set(d, d.length);
  return { name: t.name, datatype: t.datatype, shape: [2, ...t.shape.slice(1)], data };
}

/** Wraps a model so that single-row runs take the same kernel path as batches. */
export class PairedSingleRows implements LoadedModel {
  constructor(private readonly inner: LoadedModel) {}

  get signature(): LoadedModel['signature'] { return this.inner.signature; }
  get platform(): string { return this.inner.platform; }
  get instances(): number | undefined { return this.inner.instances; }

  async run(request: RunRequest): Promise<Tensor[]> {
    if (request.inputs[0]?.shape[0] !== 1) return this.inner.run(request);
    const out = await this.inner.run({ ...request, inputs: request.inputs.map(doubled) });
    return out.map((t) => (t.shape[0] === 2 ? sliceRows(t, 0, 1) : t));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
