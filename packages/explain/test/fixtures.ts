import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import type { BatchPredict } from '@ponte/explain';

/** The repository root, from the compiled test's location (packages/explain/dist/test). */
const root = fileURLToPath(new URL('../../../../', import.meta.url));

export function modelFile(name: string): string {
  return `${root}examples/models/${name}/1/model.onnx`;
}

/** The first `features` columns of a CSV with a header, as row-major numbers and the header names. */
export function readCsv(name: string, file: string, features: number, limit = Infinity): { rows: number[]; names: string[]; count: number } {
  const path = name === 'purchase' ? `${root}examples/data/purchase/${file}` : `${root}packages/monitor/test/fixtures/${name}/${file}`;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const names = lines[0]!.split(',').slice(0, features);
  const rows: number[] = [];
  let count = 0;
  for (const line of lines.slice(1)) {
    if (count >= limit) break;
    rows.push(...line.split(',').slice(0, features).map(Number));
    count++;
  }
  return { rows, names, count };
}

/** Golden input rows of a model (examples/models/<m>/golden.json). */
export function goldenInputs(name: string): number[][] {
  const golden = JSON.parse(readFileSync(`${root}examples/models/${name}/golden.json`, 'utf8')) as { inputs: number[][] };
  return golden.inputs;
}

/** A session of the real model, and a batched predict of one output through it. */
export async function onnxPredict(name: string, output: string): Promise<{ predict: BatchPredict; calls: () => number; close: () => Promise<void> }> {
  const session = await ort.InferenceSession.create(modelFile(name), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  let calls = 0;
  const predict: BatchPredict = async (rows, n) => {
    calls++;
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', rows, [n, rows.length / n]) }, [output]);
    return out[output]!.data as Float32Array;
  };
  return { predict, calls: () => calls, close: () => session.release() };
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
