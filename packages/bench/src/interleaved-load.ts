import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, LOAD_CPU, type Contender, type Launched } from './contender.js';
import { checkGolden } from './golden.js';
import type { LoadPlan, StopInfo } from './load.js';
import { goldenOf } from './models.js';
import { POST_LUA } from './paths.js';
import { ponteFacts } from './ponte-server.js';
import type { LoadRow, LoadStats } from './results.js';
import { roundOrder } from './round-order.js';
import { medianRun, runWrk, wrkCommandLine, type WrkRun } from './wrk.js';

/** One set-up of an interleaved measurement: its server, and what to read from it around the slices. */
export interface InterleavedSetup {
  contender: Contender;
  /** Called once every server is checked and warm, before the first slice (the prediction-log section counts stored rows here). */
  beforeRuns?: (baseUrl: string) => Promise<void>;
  /** Called after the last slice, every server still up. */
  afterRuns?: (baseUrl: string) => Promise<void>;
  /** Called once this set-up's server has stopped. */
  onStopped?: (s: StopInfo) => void;
}

/** How many rounds of how long a slice, and how long to wait after each slice. */
export interface InterleavedPlan extends Omit<LoadPlan, 'runs' | 'durationS' | 'beforeRuns' | 'afterRuns' | 'onStopped'> {
  rounds: number;
  sliceS: number;
  /**
   * Pause after each slice before the next set-up's starts, ms: what a
   * server does right after its load (a log's last commit, ≤ 200 ms) runs
   * then, not during another set-up's slice.
   */
  gapMs: number;
}

/**
 * Measures set-ups side by side in time: every server is started once,
 * pinned, checked against the golden rows and warmed up, then each round
 * gives each set-up one wrk slice of `sliceS`, in an order that rotates from
 * round to round (round-order.ts), and the servers are stopped at the end.
 * The slices of one round run seconds apart, so a change in the machine's
 * speed (this VM's moves 2× within a minute) falls on every set-up of the
 * round alike; a fresh server per run put 15–25 s between them. Each row's
 * `runs` are its slices in round order.
 */
export async function measureInterleaved(setups: readonly InterleavedSetup[], plan: InterleavedPlan): Promise<LoadRow[]> {
  const log = plan.log ?? (() => undefined);
  const rows: LoadRow[] = setups.map(({ contender: c }) => ({ model: c.model, key: c.key, label: c.label, connections: plan.connections, status: 'skipped', ...(c.skip !== undefined ? { note: c.skip } : {}) }));
  const servers: Array<Launched | undefined> = setups.map(() => undefined);
  const loads: Array<WrkRun | undefined> = setups.map(() => undefined);
  try {
    for (const [k, { contender: c }] of setups.entries()) {
      if (c.skip !== undefined) continue;
      const row = rows[k]!;
      const golden = goldenOf(c.model);
      try {
        const launched = await launch(c, plan.tmp);
        servers[k] = launched;
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
        const wrk = { url: launched.baseUrl + c.api.path(c.model), bodyFile, luaScript: POST_LUA, connections: plan.connections, cpu: LOAD_CPU, durationS: plan.sliceS, ...(plan.headers ? { headers: plan.headers } : {}) };
        loads[k] = wrk;
        plan.onCommand?.(`wrk, ${plan.connections} connection${plan.connections > 1 ? 's' : ''}`, wrkCommandLine(wrk));
        if (plan.warmupS > 0) row.warmup = await runWrk({ ...wrk, durationS: plan.warmupS });
        row.status = 'ok';
        row.runs = [];
      } catch (e) {
        row.status = 'failed';
        row.note = (e as Error).message.split('\n')[0];
      }
    }
    for (const [k, s] of setups.entries()) if (rows[k]!.status === 'ok') await s.beforeRuns?.(servers[k]!.baseUrl);
    for (let r = 0; r < plan.rounds; r++) {
      for (const [k] of roundOrder(setups, r)) {
        const row = rows[k]!;
        const server = servers[k];
        const wrk = loads[k];
        if (row.status !== 'ok' || server === undefined || wrk === undefined) continue;
        try {
          row.runs!.push(await runWrk(wrk));
          if (server.proc.hasExited()) throw new Error(`${server.proc.name} exited during slice ${r + 1}`);
        } catch (e) {
          row.status = 'failed';
          row.note = (e as Error).message.split('\n')[0];
        }
        await new Promise((resolve) => setTimeout(resolve, plan.gapMs));
      }
    }
    for (const [k, s] of setups.entries()) if (rows[k]!.status === 'ok') await s.afterRuns?.(servers[k]!.baseUrl);
    for (const row of rows) {
      if (row.status !== 'ok' || row.runs === undefined || row.runs.length === 0) continue;
      const stats: LoadStats = medianRun(row.runs);
      row.stats = stats;
      log(`  ${row.label.padEnd(40)} ${row.model.padEnd(9)} c=${plan.connections}: ${Math.round(stats.rps)} req/s (median of ${row.runs.length} slices), p50 ${stats.p50Ms.toFixed(2)} ms, p99 ${stats.p99Ms.toFixed(2)} ms`);
      const errors = row.runs.reduce((a, x) => a + x.errors, 0);
      if (errors > 0) row.note = `${errors} socket errors or non-2xx answers over ${row.runs.length} slices (${row.runs.reduce((a, x) => a + x.non2xx, 0)} non-2xx)`;
    }
    return rows;
  } finally {
    for (const [k, s] of setups.entries()) {
      const proc = servers[k]?.proc;
      if (proc === undefined) continue;
      // Read at the end: Ponte's logger writes asynchronously.
      if (s.contender.ponte) plan.onPonteFacts?.(s.contender, ponteFacts(proc.logFile));
      const t0 = performance.now();
      await proc.stop(plan.stopGraceMs);
      s.onStopped?.({ ms: performance.now() - t0, exit: await proc.exited, logFile: proc.logFile });
    }
  }
}
