import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_ROWS, batchTensor, checkBatchGrpc, checkBatchRest, oipBatchBody } from './batched-golden.js';
import { launch, LOAD_CPU } from './contender.js';
import { freePort } from './free-port.js';
import { grpcLoader, type GrpcLoader } from './grpc.js';
import { h2loadAvailable } from './h2load.js';
import type { LoadPlan } from './load.js';
import { goldenOf } from './models.js';
import { POST_LUA } from './paths.js';
import { ponte } from './ponte-server.js';
import type { BatchedRow, LoadStats } from './results.js';
import { medianRun, runWrk, wrkCommandLine } from './wrk.js';

/** Connections (REST) and calls in flight (gRPC) of the batched-requests section. */
export const BATCHED_CONNECTIONS = 8;

/**
 * The batched-requests rows of one model: one Ponte (OIP, batching on, with
 * '@ponte/grpc' when it loads) receives requests of 32 rows each (golden rows
 * repeated) — over REST from wrk, then over gRPC from `runGrpcLoad` — with
 * `plan.connections` in flight. Each protocol first sends one 32-row request
 * and checks every row against golden.json; then warm-up and `plan.runs`
 * measured runs, median shown.
 */
export async function measureBatched(model: string, plan: LoadPlan, prometheus: boolean, grpc: boolean): Promise<BatchedRow[]> {
  const n = BATCH_ROWS;
  const base = { model, rowsPerRequest: n, connections: plan.connections };
  const rest: BatchedRow = { ...base, protocol: 'rest', label: `Ponte OIP REST, ${n} rows/request`, status: 'failed' };
  const rpc: BatchedRow = grpc
    ? { ...base, protocol: 'grpc', label: `Ponte gRPC, ${n} rows/request`, status: 'failed' }
    : { ...base, protocol: 'grpc', label: `Ponte gRPC, ${n} rows/request`, status: 'todo', note: '@ponte/grpc is not built or does not load' };
  const grpcPort = grpc ? await freePort() : undefined;
  let loader: GrpcLoader | undefined;
  const c = { ...ponte({ model, batching: true, prometheus, ...(grpcPort !== undefined ? { grpcPort } : {}) }, 'oip'), key: 'ponte-batched', label: 'Ponte, batched requests' };
  let launched;
  try {
    launched = await launch(c, plan.tmp);
  } catch (e) {
    const note = `did not start: ${(e as Error).message.split('\n')[0]}`;
    return [{ ...rest, note }, grpc ? { ...rpc, note } : rpc];
  }
  const { proc, baseUrl } = launched;
  const golden = goldenOf(model);
  try {
    plan.onCommand?.(`${c.label} (${model})`, proc.commandLine);
    // REST, wrk.
    try {
      rest.golden = await checkBatchRest(baseUrl, model, golden, n);
      if (!rest.golden.ok) throw new Error(`wrong answers, not measured: ${rest.golden.failures.slice(0, 2).join('; ')}`);
      const bodyFile = join(plan.tmp, `body-oip-${n}rows-${model}.json`);
      writeFileSync(bodyFile, JSON.stringify(oipBatchBody(golden, n)));
      const wrk = { url: `${baseUrl}/v2/models/${model}/infer`, bodyFile, luaScript: POST_LUA, connections: plan.connections, cpu: LOAD_CPU };
      plan.onCommand?.(`wrk, ${plan.connections} connections, ${n} rows/request`, wrkCommandLine({ ...wrk, durationS: plan.durationS }));
      if (plan.warmupS > 0) await runWrk({ ...wrk, durationS: plan.warmupS });
      const runs: LoadStats[] = [];
      for (let i = 0; i < plan.runs; i++) runs.push(await runWrk({ ...wrk, durationS: plan.durationS }));
      Object.assign(rest, finish(runs));
      log(plan, rest);
    } catch (e) {
      rest.note = (e as Error).message.split('\n')[0];
    }
    // gRPC: h2load when installed, else runGrpcLoad in the bench process.
    if (grpcPort !== undefined) {
      try {
        const address = `127.0.0.1:${grpcPort}`;
        rpc.golden = await checkBatchGrpc(address, model, golden, n);
        if (!rpc.golden.ok) throw new Error(`wrong answers, not measured: ${rpc.golden.failures.slice(0, 2).join('; ')}`);
        loader = grpcLoader({ port: grpcPort, model, inputs: [batchTensor(golden, n)], plan, what: `gRPC load, ${n} rows/request`, h2load: h2loadAvailable() });
        if (plan.warmupS > 0) await loader.run(plan.warmupS);
        const runs: LoadStats[] = [];
        for (let i = 0; i < plan.runs; i++) runs.push(await loader.run(plan.durationS));
        Object.assign(rpc, finish(runs));
        log(plan, rpc);
      } catch (e) {
        rpc.note = (e as Error).message.split('\n')[0];
      }
    }
  } finally {
    await proc.stop();
  }
  if (loader !== undefined && rpc.status === 'ok') {
    const failed = loader.failedCalls(proc.logFile);
    if (failed > 0) Object.assign(rpc, { status: 'failed', note: `${failed} calls did not end OK in Ponte's request log` });
  }
  return [rest, rpc];
}

function finish(runs: LoadStats[]): Partial<BatchedRow> {
  const errors = runs.reduce((s, r) => s + r.errors, 0);
  return { status: 'ok', runs, stats: medianRun(runs), ...(errors ? { note: `${errors} failed requests over ${runs.length} run(s)` } : {}) };
}

function log(plan: LoadPlan, r: BatchedRow): void {
  const s = r.stats!;
  plan.log?.(`  ${r.label.padEnd(40)} ${r.model.padEnd(9)} c=${r.connections}: ${Math.round(s.rps)} req/s = ${Math.round(s.rps * r.rowsPerRequest)} rows/s, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms`);
}
