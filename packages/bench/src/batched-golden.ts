import { compareValues, type Golden } from './golden.js';
import { grpcInferClient, grpcOutput } from './grpc.js';
import type { GoldenCheck } from './results.js';

/** Rows per request in the batched-requests section. */
export const BATCH_ROWS = 32;

/** The `n` input rows of a batched request: the golden rows repeated (row i is golden row i % 10). */
export function batchRows(golden: Golden, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => golden.inputs[i % golden.inputs.length]!);
}

/** The OIP input tensor of an `n`-row request, data flat in row-major order. */
export function batchTensor(golden: Golden, n: number): { name: string; datatype: 'FP32'; shape: [number, number]; data: number[] } {
  const rows = batchRows(golden, n);
  return { name: golden.input_name, datatype: 'FP32', shape: [n, rows[0]!.length], data: rows.flat() };
}

/** The OIP REST body of an `n`-row request (`POST /v2/models/<m>/infer`). */
export function oipBatchBody(golden: Golden, n: number): { inputs: ReturnType<typeof batchTensor>[] } {
  return { inputs: [batchTensor(golden, n)] };
}

/**
 * Checks the flat output of an `n`-row request: row i must match golden row
 * i % 10 within golden's tolerance, and there must be exactly n rows.
 */
export function compareBatch(flat: number[], golden: Golden, n: number): GoldenCheck {
  const width = golden.expected[0]!.length;
  if (flat.length !== n * width) return { ok: false, rows: n, maxAbs: Infinity, failures: [`expected ${n}×${width} values, got ${flat.length}`] };
  const failures: string[] = [];
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const got = flat.slice(i * width, (i + 1) * width);
    const ref = golden.expected[i % golden.expected.length]!;
    const c = compareValues(got, ref, golden.tolerance);
    maxAbs = Math.max(maxAbs, c.maxAbs);
    if (!c.ok) failures.push(`row ${i}: got ${JSON.stringify(got)}, expected ${JSON.stringify(ref)}`);
  }
  return { ok: failures.length === 0, rows: n, maxAbs, failures };
}

const failed = (n: number, why: string): GoldenCheck => ({ ok: false, rows: n, maxAbs: Infinity, failures: [why] });

/** Sends one `n`-row OIP REST request and checks every row of the answer. */
export async function checkBatchRest(baseUrl: string, model: string, golden: Golden, n: number): Promise<GoldenCheck> {
  try {
    const res = await fetch(`${baseUrl}/v2/models/${model}/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(oipBatchBody(golden, n)), signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 200) return failed(n, `HTTP ${res.status} ${text.slice(0, 200)}`);
    const outputs = (JSON.parse(text) as { outputs?: Array<{ name?: string; data?: unknown[] }> }).outputs ?? [];
    const data = outputs.find((o) => o.name === golden.output_name)?.data;
    if (!Array.isArray(data)) return failed(n, `no output "${golden.output_name}"`);
    return compareBatch(data.flat(Infinity) as number[], golden, n);
  } catch (e) {
    return failed(n, (e as Error).message);
  }
}

/** Sends one `n`-row gRPC `ModelInfer` request (typed `fp32_contents`) and checks every row of the answer. */
export async function checkBatchGrpc(address: string, model: string, golden: Golden, n: number): Promise<GoldenCheck> {
  const client = grpcInferClient(address);
  try {
    const t = batchTensor(golden, n);
    const res = await client.infer({ model_name: model, inputs: [{ name: t.name, datatype: t.datatype, shape: t.shape, contents: { fp32_contents: t.data } }] });
    if (typeof res === 'string') return failed(n, res);
    const got = grpcOutput(res, golden.output_name);
    return got ? compareBatch(got, golden, n) : failed(n, `no fp32_contents for "${golden.output_name}"`);
  } finally {
    client.close();
  }
}
