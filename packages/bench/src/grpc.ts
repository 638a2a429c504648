import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { launch, LOAD_CPU } from './contender.js';
import { failedGrpcCalls, h2loadAvailable, h2loadCommandLine, runH2load, type H2loadRun } from './h2load.js';
import { grpcInferFrame, runGrpcLoad, type GrpcLoadInput } from './grpc-load.js';
import { compareValues, type Golden } from './golden.js';
import type { LoadPlan } from './load.js';
import { goldenOf } from './models.js';
import { freePort } from './free-port.js';
import { ponte, ponteFacts } from './ponte-server.js';
import type { GoldenCheck, LoadRow, LoadStats } from './results.js';
import { RssSampler } from './rss.js';
import { medianRun } from './wrk.js';

/** The row key of Ponte over gRPC. */
export const GRPC_KEY = 'ponte-grpc-on';
const LABEL = 'Ponte gRPC (OIP), batching on';

type InferFn = (req: unknown, md: Metadata, o: { deadline: number }, cb: (err: ServiceError | null, res?: Record<string, unknown>) => void) => void;

/** A `ModelInfer` client on one channel; `close()` when done. */
export interface GrpcInferClient {
  /** Sends one request (10 s deadline); resolves with the answer, or a string saying what went wrong. */
  infer(request: unknown): Promise<Record<string, unknown> | string>;
  close(): void;
}

/** A `ModelInfer` client for `host:port`, with the proto `@ponte/grpc` ships. */
export function grpcInferClient(address: string): GrpcInferClient {
  const protoPath = createRequire(import.meta.url).resolve('@ponte/grpc/proto/grpc_predict_v2.proto');
  const pkg = loadPackageDefinition(loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: false, arrays: true, oneofs: true }));
  const Client = (pkg['inference'] as GrpcObject)['GRPCInferenceService'] as ServiceClientConstructor;
  const client = new Client(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const call = (client as unknown as Record<string, InferFn>)['ModelInfer']!.bind(client);
  return {
    infer: (req) => new Promise((resolve) => {
      call(req, new Metadata(), { deadline: Date.now() + 10_000 }, (err, r) => resolve(err ? `${err.code} ${err.details}` : r ?? 'empty answer'));
    }),
    close: () => client.close(),
  };
}

/** The flat FP32 output named `name` of a gRPC `ModelInfer` answer (typed `fp32_contents`). */
export function grpcOutput(answer: Record<string, unknown>, name: string): number[] | undefined {
  const outputs = (answer['outputs'] ?? []) as Array<{ name?: string; contents?: { fp32_contents?: number[] } }>;
  return outputs.find((o) => o.name === name)?.contents?.fp32_contents;
}

/**
 * Sends the golden rows over gRPC `ModelInfer` (typed `fp32_contents`) and
 * checks the answers, as `checkGolden` does for REST.
 */
export async function checkGoldenGrpc(address: string, model: string, golden: Golden): Promise<GoldenCheck> {
  const client = grpcInferClient(address);
  const failures: string[] = [];
  let maxAbs = 0;
  try {
    for (let i = 0; i < golden.inputs.length; i++) {
      const row = golden.inputs[i]!;
      const req = { model_name: model, inputs: [{ name: golden.input_name, datatype: 'FP32', shape: [1, row.length], contents: { fp32_contents: row } }] };
      const res = await client.infer(req);
      if (typeof res === 'string') { failures.push(`row ${i}: ${res}`); continue; }
      const got = grpcOutput(res, golden.output_name);
      if (!got) { failures.push(`row ${i}: no fp32_contents for "${golden.output_name}"`); continue; }
      const c = compareValues(got, golden.expected[i]!, golden.tolerance);
      maxAbs = Math.max(maxAbs, c.maxAbs);
      if (!c.ok) failures.push(`row ${i}: got ${JSON.stringify(got)}, expected ${JSON.stringify(golden.expected[i])}`);
    }
  } finally {
    client.close();
  }
  return { ok: failures.length === 0, rows: golden.inputs.length, maxAbs, failures };
}

/**
 * The gRPC row: Ponte (batching on) with '@ponte/grpc' on a free port, its
 * golden rows checked over gRPC, then loaded on CPU 1 — by h2load when it is
 * installed (C, one HTTP/2 connection with `connections` calls in flight,
 * replaying the serialized `ModelInfer` call; calls that did not end OK are
 * counted from Ponte's request log), else by `runGrpcLoad` (grpc-load.ts, a
 * @grpc/grpc-js client in the bench process, which can be the limit).
 */
export async function measureGrpc(model: string, plan: LoadPlan, prometheus: boolean): Promise<LoadRow> {
  const row: LoadRow = { model, key: GRPC_KEY, label: LABEL, connections: plan.connections, status: 'failed' };
  const grpcPort = await freePort();
  let loader: GrpcLoader | undefined;
  const c = { ...ponte({ model, batching: true, prometheus, grpcPort }, 'oip'), key: GRPC_KEY, label: LABEL };
  let launched;
  try {
    launched = await launch(c, plan.tmp);
  } catch (e) {
    return { ...row, note: `did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const { proc } = launched;
  try {
    plan.onCommand?.(`${LABEL} (${model})`, proc.commandLine);
    const address = `127.0.0.1:${grpcPort}`;
    const golden = goldenOf(model);
    const g = await checkGoldenGrpc(address, model, golden);
    row.golden = g;
    if (!g.ok) return { ...row, note: `wrong answers, not measured: ${g.failures.slice(0, 2).join('; ')}` };
    const inputs = [{ name: golden.input_name, datatype: 'FP32', shape: [1, golden.inputs[0]!.length], data: golden.inputs[0]! }];
    loader = grpcLoader({ port: grpcPort, model, inputs, plan, what: 'gRPC load', h2load: h2loadAvailable() });
    if (plan.warmupS > 0) await loader.run(plan.warmupS);
    const runs: LoadStats[] = [];
    let peakRssMb = 0;
    for (let i = 0; i < plan.runs; i++) {
      const sampler = new RssSampler(proc.pid, 250).start();
      try {
        runs.push(await loader.run(plan.durationS));
      } finally {
        peakRssMb = Math.max(peakRssMb, sampler.stop().peakMb);
      }
    }
    const stats = medianRun(runs);
    plan.log?.(`  ${LABEL.padEnd(40)} ${model.padEnd(9)} c=${plan.connections}: ${Math.round(stats.rps)} req/s, p50 ${stats.p50Ms.toFixed(2)} ms, p99 ${stats.p99Ms.toFixed(2)} ms`);
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    Object.assign(row, { status: 'ok', stats, runs, peakRssMb, note: `${loader.source}${errors ? `; ${errors} failed calls` : ''}` });
  } catch (e) {
    return { ...row, status: 'failed', note: (e as Error).message.split('\n')[0] };
  } finally {
    // Read at the end: the logger writes asynchronously.
    plan.onPonteFacts?.(c, ponteFacts(proc.logFile));
    await proc.stop();
  }
  if (loader !== undefined && row.status === 'ok') {
    const failed = loader.failedCalls(proc.logFile);
    if (failed > 0) return { ...row, status: 'failed', note: `${failed} calls did not end OK in Ponte's request log: ${row.note ?? ''}` };
  }
  return row;
}

/** What `grpcLoader` needs: the server's gRPC port, the call's tensors, and the plan it reports to. */
export interface GrpcLoaderOptions {
  port: number;
  model: string;
  inputs: GrpcLoadInput[];
  plan: LoadPlan;
  /** The report's name for the load command. */
  what: string;
  /** Drive the load with h2load (else with `runGrpcLoad` in the bench process). */
  h2load: boolean;
}

/** A bounded gRPC load against `ModelInfer`, and what the report says about it. */
export interface GrpcLoader {
  /** One load of `s` seconds. */
  run(s: number): Promise<LoadStats>;
  /** Where the load came from, for the row's note. */
  source: string;
  /** Calls that did not end OK, from Ponte's request log (h2load sees HTTP 200 for a gRPC error too; the Node client counts its own). */
  failedCalls(logFile: string): number;
}

/**
 * Loads with `plan.connections` calls in flight on one connection: h2load
 * replaying the serialized call, or the Node client of grpc-load.ts. Reports
 * its command line to the plan once.
 */
export function grpcLoader(o: GrpcLoaderOptions): GrpcLoader {
  const { plan, model, inputs } = o;
  const tag = `${model}-${inputs[0]?.shape[0] ?? 1}`;
  if (o.h2load) {
    const bodyFile = join(plan.tmp, `grpc-${tag}.bin`);
    writeFileSync(bodyFile, grpcInferFrame({ model, inputs }));
    let n = 0;
    const run = (s: number): H2loadRun => ({ url: `http://127.0.0.1:${o.port}/inference.GRPCInferenceService/ModelInfer`, bodyFile, streams: plan.connections, durationS: s, cpu: LOAD_CPU, logFile: join(plan.tmp, `h2load-${tag}-${++n}.tsv`) });
    plan.onCommand?.(o.what, h2loadCommandLine(run(plan.durationS)));
    return {
      run: (s) => runH2load(run(s)),
      source: `load from h2load on CPU 1 (one HTTP/2 connection, ${plan.connections} calls in flight), not wrk`,
      failedCalls: (logFile) => failedGrpcCalls(readFileSync(logFile, 'utf8')),
    };
  }
  const address = `127.0.0.1:${o.port}`;
  plan.onCommand?.(o.what, `runGrpcLoad({ address: '${address}', model: '${model}', inputs: [<${inputs.map((t) => t.shape.join('×')).join(', ')} ${inputs[0]?.datatype ?? ''}>], concurrency: ${plan.connections}, durationMs: ${plan.durationS * 1000} })  # packages/bench/src/grpc-load.ts, in the bench process (CPU 1)`);
  return {
    run: async (s) => {
      const r = await runGrpcLoad({ address, model, inputs, concurrency: plan.connections, durationMs: s * 1000 });
      // grpc-load reports p50/p99 only.
      return { requests: r.requests, durationS: r.seconds, rps: r.rps, p50Ms: r.p50Ms, p90Ms: NaN, p99Ms: r.p99Ms, maxMs: NaN, errors: r.errors, non2xx: r.errors };
    },
    source: `load from grpc-load.ts (a Node @grpc/grpc-js client on CPU 1, ${plan.connections} calls in flight on one channel), not wrk: the client may be the limit`,
    failedCalls: () => 0,
  };
}
