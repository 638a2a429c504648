import { readFileSync } from 'node:fs';
import { BATCHED_CONNECTIONS, measureBatched } from './batched.js';
import { ceilingArgs, measureCeiling } from './ceiling.js';
import type { Contender } from './contender.js';
import { GRPC_KEY, measureGrpc } from './grpc.js';
import { measureLoad, type LoadPlan } from './load.js';
import { mergeRounds } from './load-rounds.js';
import { peerDependencyProblems } from './machine.js';
import { pythonModelDir, pythonPeersUsable } from './models.js';
import type { BenchOptions, Section } from './options.js';
import { bareHono, fastapi, flask, naiveHono } from './peers.js';
import { pluginLoads, ponte } from './ponte-server.js';
import type { BenchResults, LoadRow } from './results.js';
import { OVERLOAD, runOverload } from './overload.js';
import { runSoak } from './soak.js';
import { measureStartup } from './startup.js';
import { runTelemetry, TELEMETRY, telemetryRounds } from './telemetry.js';
import { PREDICTION_LOG, predictionLogRounds, runPredictionLog, SLICE_GAP_MS } from './prediction-log.js';
import { runSecurity, SECURITY } from './security.js';
import { MONITORING, monitoringRounds, runMonitoring } from './monitoring.js';
import { EXPLAIN, runExplain } from './explain.js';

const CEILING_BATCHES = [1, 32];
/** Seconds a contender takes besides its wrk runs (start, golden rows, stop), for the estimate. */
const OVERHEAD_S = 4;

/** Rows of the 32-connection tables, per model. */
const LOAD_ROWS = 8;
/** Rows of the one-connection table, per model. */
const ONE_CONN_ROWS = 2;

/** About how long a run with these options takes, seconds (printed before it starts). */
export function estimateSeconds(o: BenchOptions): number {
  const on = (s: Section): number => (o.sections.includes(s) ? 1 : 0);
  const perRow = o.warmupS + o.runs * o.durationS + OVERHEAD_S;
  const roundRow = o.runs * (o.warmupS + o.durationS + OVERHEAD_S);
  const tel = telemetryRounds(o);
  const mon = monitoringRounds(o);
  const log = predictionLogRounds(o);
  return o.models.length * (on('load') * LOAD_ROWS * roundRow + on('one-conn') * ONE_CONN_ROWS * perRow + on('ceiling') * (CEILING_BATCHES.length * o.ceilingS + 2) + on('batched') * 2 * perRow) +
    on('startup') * (o.startupRepeats * 3 + 5) +
    on('telemetry') * 4 * tel.runs * (o.warmupS + tel.durationS + OVERHEAD_S) +
    // Three servers started, warmed and stopped once (two drain a log), then a slice each per round.
    on('prediction-log') * (3 * (o.warmupS + OVERHEAD_S + 1) + 3 * log.rounds * (log.sliceS + SLICE_GAP_MS / 1000)) +
    on('security') * 4 * tel.runs * (o.warmupS + tel.durationS + OVERHEAD_S) +
    // Three set-ups, with the monitor's longer warm-up and runs; two of them drain a log when they stop.
    on('monitoring') * 3 * mon.runs * (mon.warmupS + mon.durationS + OVERHEAD_S + 1) +
    // Latency: three servers, a few seconds of explanations each (digits' sampled ones take about half a second); then two set-ups interleaved.
    on('explain') * (3 * (OVERHEAD_S + 2) + (o.quick ? 15 : 40) + 2 * tel.runs * (o.warmupS + tel.durationS + OVERHEAD_S + 1)) +
    on('overload') * (o.warmupS + o.durationS + OVERHEAD_S + 6) +
    (o.soak ? o.soakMinutes * 60 + 10 : 0);
}

/**
 * Runs every section the options ask for, in order: the 32-connection load
 * tables, batched requests, the in-process ceiling, one connection, start-up
 * and memory, telemetry cost, prediction-log cost, security cost, monitoring cost, explanations, overload, and the soak. Servers are started and
 * stopped per row; nothing is left running.
 */
export async function runSuite(o: BenchOptions, tmp: string, log: (line: string) => void): Promise<BenchResults> {
  const r: BenchResults = { startedAt: new Date(), finishedAt: new Date(), mode: '', commands: [], notes: [], load: [], oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: loadAvg1(), end: 0 } };
  r.mode = o.quick
    ? `quick run (${o.durationS} s runs, ${o.runs} per row, not representative)`
    : `${o.runs} round${o.runs > 1 ? "s" : ""} of ${o.durationS} s per row (the load tables measure every contender once per round, each after a fresh start and a ${o.warmupS} s warm-up), median run shown`;
  const seen = new Set<string>();
  const plan = (connections: number): LoadPlan => ({
    connections, durationS: o.durationS, warmupS: o.warmupS, runs: o.runs, tmp, log,
    onCommand: (what, line) => {
      const key = what.replace(/\(.*\)/, '') + line.replace(/\d{4,5}/g, '');
      if (seen.has(key)) return;
      seen.add(key);
      r.commands.push(`# ${what}`, line);
    },
    onPonteFacts: (c, facts) => { r.ponteFacts[`${c.key}/${c.model}`] = facts; },
  });

  for (const p of peerDependencyProblems()) r.notes.push(`peer dependency mismatch: ${p}`);
  const prometheus = await pluginLoads('@ponte/exporter-prometheus');
  r.notes.push(prometheus ? 'Ponte runs with @ponte/exporter-prometheus (metrics on).' : '@ponte/exporter-prometheus is not built or does not load: Ponte runs without metrics.');
  const grpc = await pluginLoads('@ponte/grpc');
  const otel = o.sections.includes('telemetry') && await pluginLoads('@ponte/exporter-otel');
  const on = (x: Section): boolean => o.sections.includes(x);
  const python = await pythonPeersUsable();
  if (python !== true) r.notes.push(`Python peers skipped: ${python}`);

  if (on('load')) log('== 32 connections');
  for (const model of on('load') ? o.models : []) {
    const py = python === true ? await pythonModelDir(model, tmp) : { skip: python };
    if ('skip' in py) r.notes.push(`Python peers for ${model} skipped: ${py.skip}`);
    const contenders: Array<Contender | 'grpc'> = [
      ponte({ model, batching: true, prometheus }, 'oip'),
      ponte({ model, batching: false, prometheus }, 'oip'),
      ponte({ model, batching: true, prometheus }, 'named'),
      'grpc',
      naiveHono(model),
      bareHono(model),
      flask(model, py),
      fastapi(model, py),
    ];
    // Rounds, not one contender's runs back to back: each round measures every contender once
    // (fresh server, golden check, warm-up, one run), so a slow spell of this shared machine
    // hits all contenders alike instead of one row, and the ratios compare like with like.
    const rounds = contenders.map((): LoadRow[] => []);
    for (let round = 0; round < o.runs; round++) {
      for (const [i, c] of contenders.entries()) {
        if (round > 0 && rounds[i]![0]!.status !== 'ok') continue;
        const one = { ...plan(32), runs: 1 };
        const row: LoadRow = c === 'grpc'
          ? grpc
            ? await measureGrpc(model, one, prometheus)
            : { model, key: GRPC_KEY, label: 'Ponte gRPC (OIP), batching on', connections: 32, status: 'todo', note: 'TODO(lead): @ponte/grpc is not built or does not load, so the gRPC row was not measured' }
          : await measureLoad(c, one);
        if (row.status !== 'ok') log(`  ${row.label} (${model}): ${row.status}${row.note ? ` — ${row.note.split('\n')[0]}` : ''}`);
        rounds[i]!.push(row);
      }
    }
    for (const rs of rounds) {
      const row = mergeRounds(rs);
      if (o.runs > 1 && row.status === 'ok' && row.stats) log(`  ${row.label.padEnd(40)} ${model.padEnd(9)} median of ${row.runs?.length}: ${Math.round(row.stats.rps)} req/s`);
      r.load.push(row);
    }
  }

  if (on('batched')) {
    log(`== batched requests (32 rows each), ${BATCHED_CONNECTIONS} connections`);
    r.batched = [];
    for (const model of o.models) r.batched.push(...await measureBatched(model, plan(BATCHED_CONNECTIONS), prometheus, grpc));
  }

  if (on('ceiling')) log('== in-process ONNX Runtime ceiling');
  if (on('ceiling') && o.models.length) r.commands.push('# in-process ONNX Runtime ceiling (per model)', `taskset ${ceilingArgs(o.models[0]!, CEILING_BATCHES, o.ceilingS).join(' ')}`);
  for (const model of on('ceiling') ? o.models : []) {
    const c = await measureCeiling(model, CEILING_BATCHES, o.ceilingS);
    log(`  ${model}: ${c.status === 'ok' ? Object.entries(c.rowsPerSec).map(([b, v]) => `batch ${b}: ${Math.round(v)} rows/s`).join(', ') : c.note}`);
    r.ceiling.push(c);
  }

  if (on('one-conn')) log('== 1 connection');
  for (const model of on('one-conn') ? o.models : []) {
    for (const c of [ponte({ model, batching: true, prometheus }, 'oip'), naiveHono(model)]) {
      const row = await measureLoad(c, plan(1));
      if (row.status !== 'ok') log(`  ${row.label} (${model}): ${row.status} — ${row.note ?? ''}`);
      r.oneConnection.push(row);
    }
  }

  if (on('startup')) {
    log('== start-up and idle memory (four example models)');
    r.startup = await measureStartup(tmp, o.startupRepeats, prometheus);
    log(`  ${r.startup.status === 'ok' ? `ready in ${r.startup.readyMs.map((v) => Math.round(v)).join(', ')} ms; idle RSS ${r.startup.idleRssMb?.toFixed(0)} MB` : r.startup.note}`);
  }

  if (on('telemetry')) {
    const tel = telemetryRounds(o);
    log(`== telemetry cost: ${TELEMETRY.model}, ${TELEMETRY.connections} connections, off / metrics / metrics + tracing / reference interleaved, ${tel.runs} run${tel.runs > 1 ? 's' : ''} of ${tel.durationS} s each`);
    r.telemetry = await runTelemetry(plan(TELEMETRY.connections), { prometheus, otel });
  }

  if (on('prediction-log')) {
    const { rounds, sliceS } = predictionLogRounds(o);
    const [sqlite, postgres] = [await pluginLoads('@ponte/store-sqlite'), await pluginLoads('@ponte/store-postgres')];
    log(`== prediction-log cost: ${PREDICTION_LOG.model}, ${PREDICTION_LOG.connections} connections, log off / SQLite / PostgreSQL side by side, one server each, ${rounds} round${rounds > 1 ? 's' : ''} of a ${sliceS} s slice each`);
    r.predictionLog = await runPredictionLog(plan(PREDICTION_LOG.connections), prometheus, { sqlite, postgres });
  }

  if (on('security')) {
    const tel = telemetryRounds(o);
    const [apikey, jwt, ratelimit] = [await pluginLoads('@ponte/auth-apikey'), await pluginLoads('@ponte/auth-jwt'), await pluginLoads('@ponte/ratelimit')];
    log(`== security cost: ${SECURITY.model}, ${SECURITY.connections} connections, auth off / API key / JWT / rate limit interleaved, ${tel.runs} run${tel.runs > 1 ? 's' : ''} of ${tel.durationS} s each`);
    r.security = await runSecurity(plan(SECURITY.connections), prometheus, { apikey, jwt, ratelimit });
  }

  if (on('monitoring')) {
    const mon = monitoringRounds(o);
    const [sqlite, monitor] = [await pluginLoads('@ponte/store-sqlite'), await pluginLoads('@ponte/monitor')];
    log(`== monitoring cost: ${MONITORING.model}, ${MONITORING.connections} connections, off / SQLite log / SQLite log + monitor interleaved, ${mon.runs} run${mon.runs > 1 ? 's' : ''} of ${mon.durationS} s each after ${mon.warmupS} s of warm-up`);
    r.monitoring = await runMonitoring(plan(MONITORING.connections), prometheus, { sqlite, monitor });
  }

  if (on('explain')) {
    const tel = telemetryRounds(o);
    const [sqlite, explain] = [await pluginLoads('@ponte/store-sqlite'), await pluginLoads('@ponte/explain')];
    log(`== explanations: latency of ${EXPLAIN.latency.map((x) => x.model).join(', ')}; then the cost of background explanations (${EXPLAIN.throughput.model}, ${EXPLAIN.throughput.connections} connections, SQLite log with explain off / on interleaved, ${tel.runs} run${tel.runs > 1 ? 's' : ''} of ${tel.durationS} s each)`);
    r.explain = await runExplain(plan(EXPLAIN.throughput.connections), prometheus, { sqlite, explain }, o.quick);
  }

  if (on('overload')) {
    log(`== overload: ${OVERLOAD.model}, queue ${OVERLOAD.maxQueueSize}, ${OVERLOAD.connections} connections for ${o.durationS} s, health probes every ${OVERLOAD.probeIntervalMs} ms`);
    r.overload = await runOverload(plan(OVERLOAD.connections), prometheus);
  }

  if (o.soak) {
    log(`== soak: ${o.soakMinutes} min of load on Ponte (purchase)`);
    r.soak = await runSoak(tmp, o.soakMinutes, prometheus);
    log(`  ${r.soak.status === 'ok' && r.soak.memory ? `RSS (minute means) ${r.soak.memory.warmMb.toFixed(0)} → ${r.soak.memory.lastMinuteMb.toFixed(0)} MB (${r.soak.memory.ratio.toFixed(3)}×)` : r.soak.note}`);
  }
  r.finishedAt = new Date();
  r.loadAvg.end = loadAvg1();
  // The bench itself keeps about two runnable tasks (server + wrk) while it runs: more means other work shared the CPUs.
  if (r.loadAvg.start > 1 || r.loadAvg.end > 3) r.notes.push(`The machine was busy with other work (1-minute load average ${r.loadAvg.start.toFixed(1)} at the start, ${r.loadAvg.end.toFixed(1)} at the end; the bench itself accounts for about 2): absolute figures are lower and noisier than on a quiet machine.`);
  return r;
}

function loadAvg1(): number {
  try { return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]); } catch { return 0; }
}
