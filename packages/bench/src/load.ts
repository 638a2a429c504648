import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, LOAD_CPU, type Contender, type Launched } from './contender.js';
import { checkGolden } from './golden.js';
import { goldenOf } from './models.js';
import { POST_LUA } from './paths.js';
import { ponteFacts } from './ponte-server.js';
import type { LoadRow, LoadStats, PonteFacts } from './results.js';
import { RssSampler } from './rss.js';
import { medianRun, runWrk, wrkCommandLine, type WrkRun } from './wrk.js';

/** How hard and how long to load a contender. */
export interface LoadPlan {
  connections: number;
  durationS: number;
  warmupS: number;
  runs: number;
  /** Scratch folder for logs, configs and bodies. */
  tmp: string;
  /** Called with each command actually run (server, wrk), for the report. */
  onCommand?: (what: string, commandLine: string) => void;
  /** Called with the facts read from a Ponte row's log. */
  onPonteFacts?: (c: Contender, facts: PonteFacts) => void;
  log?: (line: string) => void;
  /** Called once the server is checked and warm, just before the measured runs (the prediction-log section counts stored rows here). */
  beforeRuns?: (baseUrl: string) => Promise<void>;
  /** Called after the measured runs, the server still up. */
  afterRuns?: (baseUrl: string) => Promise<void>;
  /** How long the server may take to stop after SIGTERM before it is killed, ms (default 5000): a server draining a prediction log needs longer. */
  stopGraceMs?: number;
  /** Called once the server has stopped, with how long stopping took and how it exited. */
  onStopped?: (s: StopInfo) => void;
  /** Headers every request sends — golden check, warm-up and runs (the security section's credentials). */
  headers?: Readonly<Record<string, string>>;
}

/** How a server stopped at the end of a row. */
export interface StopInfo {
  /** SIGTERM to exit, ms. */
  ms: number;
  /** Exit code, or the signal that ended it ('SIGKILL' when it outlived the grace period). */
  exit: number | string;
  logFile: string;
}

/**
 * Measures one contender: start it pinned, check its answers against the
 * model's 10 golden rows (a wrong answer fails the row, it is not measured),
 * warm it up, run wrk `runs` times with one-row requests while sampling the
 * server's RSS, and stop it whatever happens.
 */
export async function measureLoad(c: Contender, plan: LoadPlan): Promise<LoadRow> {
  const row: LoadRow = { model: c.model, key: c.key, label: c.label, connections: plan.connections, status: 'skipped' };
  const log = plan.log ?? (() => undefined);
  if (c.skip !== undefined) return { ...row, note: c.skip };
  let launched;
  try {
    launched = await launch(c, plan.tmp);
  } catch (e) {
    return { ...row, status: 'failed', note: `did not start: ${(e as Error).message}` };
  }
  const { proc, baseUrl } = launched;
  try {
    const wrk = await prepareLoad(c, launched, row, plan, plan.durationS);
    await plan.beforeRuns?.(baseUrl);
    const runs: LoadStats[] = [];
    let peakRssMb = 0;
    for (let i = 0; i < plan.runs; i++) {
      const sampler = new RssSampler(proc.pid, 250).start();
      try {
        runs.push(await runWrk(wrk));
      } finally {
        peakRssMb = Math.max(peakRssMb, sampler.stop().peakMb);
      }
      if (proc.hasExited()) throw new Error(`${proc.name} exited during the run`);
    }
    await plan.afterRuns?.(baseUrl);
    const stats = medianRun(runs);
    log(`  ${c.label.padEnd(40)} ${c.model.padEnd(9)} c=${plan.connections}: ${Math.round(stats.rps)} req/s, p50 ${stats.p50Ms.toFixed(2)} ms, p99 ${stats.p99Ms.toFixed(2)} ms${stats.errors ? `, ${stats.errors} errors` : ''}`);
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    return {
      ...row, status: 'ok', stats, runs, peakRssMb,
      ...(errors > 0 ? { note: `${errors} socket errors or non-2xx answers over ${runs.length} run(s) (${runs.reduce((s, r) => s + r.non2xx, 0)} non-2xx)` } : {}),
    };
  } catch (e) {
    return { ...row, status: 'failed', note: (e as Error).message.split('\n')[0] };
  } finally {
    await stopLoaded(c, launched, plan, plan.onStopped);
  }
}

/**
 * Readies a started contender for load: checks its answers against the
 * model's golden rows (`row.golden`; a wrong one throws: the row is not measured),
 * writes its one-row request body, reports the commands, and warms it up
 * (`row.warmup`). Returns the wrk run that measures it for `durationS`.
 */
export async function prepareLoad(c: Contender, launched: Launched, row: LoadRow, plan: Pick<LoadPlan, 'connections' | 'warmupS' | 'tmp' | 'headers' | 'onCommand'>, durationS: number): Promise<WrkRun> {
  const golden = goldenOf(c.model);
  plan.onCommand?.(`${c.label} (${c.model})`, launched.proc.commandLine);
  if (c.checkGolden) {
    const g = await checkGolden(launched.baseUrl, c.api, c.model, golden, plan.headers);
    row.golden = g;
    if (!g.ok) throw new Error(`wrong answers, not measured: ${g.failures.slice(0, 2).join('; ')}`);
  } else {
    row.golden = 'n/a';
  }
  const bodyFile = join(plan.tmp, `body-${c.api.name}-${c.model}.json`);
  writeFileSync(bodyFile, JSON.stringify(c.api.body(golden, 0)));
  const wrk: WrkRun = { url: launched.baseUrl + c.api.path(c.model), bodyFile, luaScript: POST_LUA, connections: plan.connections, cpu: LOAD_CPU, durationS, ...(plan.headers ? { headers: plan.headers } : {}) };
  plan.onCommand?.(`wrk, ${plan.connections} connection${plan.connections > 1 ? 's' : ''}`, wrkCommandLine(wrk));
  if (plan.warmupS > 0) row.warmup = await runWrk({ ...wrk, durationS: plan.warmupS });
  return wrk;
}

/** Stops a measured contender (its grace period for draining), after reading Ponte's facts from its log; reports how it stopped. */
export async function stopLoaded(c: Contender, launched: Launched, plan: Pick<LoadPlan, 'stopGraceMs' | 'onPonteFacts'>, onStopped: ((s: StopInfo) => void) | undefined): Promise<void> {
  const proc = launched.proc;
  // Read at the end: Ponte's logger writes asynchronously.
  if (c.ponte) plan.onPonteFacts?.(c, ponteFacts(proc.logFile));
  const t0 = performance.now();
  await proc.stop(plan.stopGraceMs);
  onStopped?.({ ms: performance.now() - t0, exit: await proc.exited, logFile: proc.logFile });
}
