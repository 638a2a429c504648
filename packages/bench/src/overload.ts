import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, LOAD_CPU } from './contender.js';
import { checkGolden } from './golden.js';
import { freePort } from './free-port.js';
import { HealthProber, probeTargets } from './health-prober.js';
import type { LoadPlan } from './load.js';
import { goldenOf } from './models.js';
import { POST_LUA, POST_STATUS_LUA } from './paths.js';
import { latencySummary } from './percentile.js';
import { ponte } from './ponte-server.js';
import { readRequestDurations } from './request-log.js';
import type { OverloadResult } from './results.js';
import { groupRssMb, RssSampler } from './rss.js';
import { isRejection, parseStatusCounts } from './status-counts.js';
import { parseWrkOutput, runWrk, runWrkOutput, wrkCommandLine } from './wrk.js';

/** The overload set-up: wide_mlp with a small queue, at 4× the load tables' 32 connections. */
export const OVERLOAD = { model: 'wide_mlp', maxBatchSize: 32, maxQueueSize: 64, connections: 128, normalConnections: 32, probeIntervalMs: 20 } as const;
/** Health probes begin this long after the overload starts (see runOverload). */
export const OVERLOAD_PROBE_DELAY_MS = 1000;
/** Health endpoints probed during the overload. */
export const PROBE_PATHS = ['/v2/health/live', '/v2/health/ready'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The overload / backpressure section. Ponte (pinned to CPU 0) serves wide_mlp
 * with `batching: { maxBatchSize: 32, maxQueueSize: 64 }`; after the golden
 * check and a warm-up at the normal 32 connections, wrk (CPU 1) drives it with
 * 128 connections for `durationS` while the bench probes /v2/health/live and
 * /v2/health/ready every 20 ms, and samples RSS every 250 ms. wrk's script
 * counts answers by status; Ponte's request log (read after it stopped) gives
 * the time in the server of accepted and rejected requests.
 */
export async function runOverload(plan: LoadPlan, prometheus: boolean): Promise<OverloadResult> {
  const { model, maxBatchSize, maxQueueSize, connections } = OVERLOAD;
  const res: OverloadResult = { status: 'failed', model, connections, durationS: plan.durationS, maxBatchSize, maxQueueSize };
  const healthPort = await freePort();
  const c = { ...ponte({ model, batching: true, prometheus, batchingOptions: { maxBatchSize, maxQueueSize }, healthPort }, 'oip'), key: 'ponte-overload', label: `Ponte OIP, queue ${maxQueueSize}` };
  let launched;
  try {
    launched = await launch(c, plan.tmp);
  } catch (e) {
    return { ...res, note: `did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const { proc, baseUrl } = launched;
  let window: { fromMs: number; toMs: number } | undefined;
  try {
    plan.onCommand?.(`${c.label} (${model}), overload`, proc.commandLine);
    const golden = goldenOf(model);
    const g = await checkGolden(baseUrl, c.api, model, golden);
    if (!g.ok) return { ...res, note: `wrong answers, not measured: ${g.failures.slice(0, 2).join('; ')}` };
    const bodyFile = join(plan.tmp, `body-overload-${model}.json`);
    writeFileSync(bodyFile, JSON.stringify(c.api.body(golden, 0)));
    const url = baseUrl + c.api.path(model);
    if (plan.warmupS > 0) await runWrk({ url, bodyFile, luaScript: POST_LUA, connections: OVERLOAD.normalConnections, durationS: plan.warmupS, cpu: LOAD_CPU });
    await sleep(2000);
    res.rssBeforeMb = groupRssMb(proc.pid);

    const run = { url, bodyFile, luaScript: POST_STATUS_LUA, connections, durationS: plan.durationS, cpu: LOAD_CPU };
    plan.onCommand?.(`wrk, ${connections} connections (overload; health probes GET ${PROBE_PATHS.join(' and ')} on the health port and on the data-plane port, every ${OVERLOAD.probeIntervalMs} ms each, from the bench process at nice −10)`, wrkCommandLine(run));
    const sampler = new RssSampler(proc.pid, 250).start();
    const fromMs = Date.now();
    // Probes start once wrk's 128 connections are open: on this VM's loopback a burst of new
    // connections holds any other new connection back for about a second, whatever the server
    // (bare node:http shows the same), which says nothing about how the server copes with load.
    let prober: HealthProber | undefined;
    const targets = [...probeTargets(`http://127.0.0.1:${healthPort}`, PROBE_PATHS, 'health'), ...probeTargets(baseUrl, PROBE_PATHS, 'data-plane')];
    const probeStart = setTimeout(() => { prober = new HealthProber(targets, OVERLOAD.probeIntervalMs).start(); }, OVERLOAD_PROBE_DELAY_MS);
    let out: string;
    try {
      out = await runWrkOutput(run);
    } finally {
      clearTimeout(probeStart);
      window = { fromMs, toMs: Date.now() + 500 };
      res.probes = prober === undefined ? [] : await prober.stop();
      res.rssPeakMb = sampler.stop().peakMb;
    }
    res.wrk = parseWrkOutput(out);
    res.statuses = parseStatusCounts(out);
    if (proc.hasExited()) throw new Error(`${proc.name} exited during the overload`);
    await sleep(3000);
    res.rssAfterMb = groupRssMb(proc.pid);
    res.status = 'ok';
  } catch (e) {
    res.status = 'failed';
    res.note = (e as Error).message.split('\n')[0];
  } finally {
    // Stopped before reading its log: the logger buffers and flushes on exit.
    await proc.stop();
  }
  if (res.status === 'ok' && window) {
    const d = readRequestDurations(proc.logFile, c.api.path(model), window);
    res.serverAccepted = latencySummary(d.get(200) ?? []);
    res.serverRejected = latencySummary([...d].filter(([s]) => isRejection(s)).flatMap(([, v]) => v));
  }
  const s = res.statuses?.byStatus;
  plan.log?.(`  overload ${model} c=${connections}: ${res.status === 'ok' ? `${res.wrk!.requests} answers (${s?.['200'] ?? 0} × 200, ${s?.['429'] ?? 0} × 429); ${(['health', 'data-plane'] as const).map((port) => { const ps = (res.probes ?? []).filter((p) => (p.port ?? 'data-plane') === port); return `health on the ${port} port p99 ${Math.max(...ps.map((p) => p.latency.p99Ms)).toFixed(1)} ms, max ${Math.max(...ps.map((p) => p.latency.maxMs)).toFixed(1)} ms`; }).join('; ')}; RSS ${res.rssBeforeMb?.toFixed(0)} → ${res.rssPeakMb?.toFixed(0)} → ${res.rssAfterMb?.toFixed(0)} MB` : res.note}`);
  return res;
}
