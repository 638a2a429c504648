import { launch, type Contender, type Launched } from './contender.js';
import { prepareLoad, stopLoaded, type LoadPlan, type StopInfo } from './load.js';
import type { LoadRow, LoadStats } from './results.js';
import { roundOrder } from './round-order.js';
import { medianRun, runWrk, type WrkRun } from './wrk.js';

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
      try {
        const launched = await launch(c, plan.tmp);
        servers[k] = launched;
        loads[k] = await prepareLoad(c, launched, row, plan, plan.sliceS);
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
      const server = servers[k];
      if (server !== undefined) await stopLoaded(s.contender, server, plan, s.onStopped);
    }
  }
}
