import { readFileSync, rmSync } from 'node:fs';
import { roundOrder } from './round-order.js';
import { join } from 'node:path';
import { measureLoad, type LoadPlan, type StopInfo } from './load.js';
import { sqliteReader } from './log-stores.js';
import { measureMonitorMemory } from './monitor-memory.js';
import type { PonteVariant } from './ponte-config.js';
import { PREDICTION_LOG } from './prediction-log.js';
import type { MonitoringResult, MonitoringVariant, MonitorRunFigures } from './results.js';
import { sectionPonte } from './section-ponte.js';
import { telemetryRounds } from './telemetry.js';

/**
 * The monitoring section's model, concurrency and window (saturation, as the
 * load tables; the monitor's own default window of 1,000 rows), and the
 * monitor's default tick and lag (packages/monitor/src/options.ts): the
 * section runs with them and sizes its runs by them.
 */
export const MONITORING = { model: 'purchase', connections: 32, windowRows: 1000, tickS: 5, lagS: 5 } as const;

/** Which plugins of the section load here (packages written in parallel may not be built). */
export interface MonitoringPlugins {
  sqlite: boolean;
  monitor: boolean;
}

/**
 * Warm-up, run length and rounds of the monitoring section. The monitor
 * reads the log every `tick` seconds, `lag` seconds behind now, so its work
 * comes in bursts: the warm-up lasts at least tick + lag (by the measured
 * run, every tick reads a full tick of traffic), and a run lasts a whole
 * number of ticks, at least two, so every run holds about as many ticks —
 * rather than one run catching a burst and the next none.
 */
export function monitoringRounds(plan: Pick<LoadPlan, 'runs' | 'durationS' | 'warmupS'>): { runs: number; durationS: number; warmupS: number } {
  const { tickS, lagS } = MONITORING;
  const t = telemetryRounds(plan);
  return { runs: t.runs, durationS: Math.max(2 * tickS, Math.ceil(t.durationS / tickS) * tickS), warmupS: Math.max(plan.warmupS, tickS + lagS) };
}

/** A closed window as the monitoring report lists it (the fields the bench reads). */
interface ListedWindow {
  seq: number;
  rows: number;
  end: string;
}

/**
 * The closed windows of `model` from `GET /v2/models/{model}/monitoring?limit=1000`.
 * Throws with the server's words when the model is not monitored (404).
 */
async function listWindows(baseUrl: string, model: string): Promise<ListedWindow[]> {
  const res = await fetch(`${baseUrl}/v2/models/${model}/monitoring?limit=1000`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /v2/models/${model}/monitoring: HTTP ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { windows?: ListedWindow[] };
  return body.windows ?? [];
}

/** Lines of Ponte's log that say the monitor failed a tick. */
function monitorTrouble(logFile: string): number {
  try { return readFileSync(logFile, 'utf8').split('"msg":"monitoring tick failed').length - 1; } catch { return 0; }
}

const removeSqlite = (file: string): void => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); };

interface Setup {
  key: string;
  label: string;
  variant: (file: string) => PonteVariant;
  skip?: string;
}

/**
 * Monitoring cost: Ponte (OIP, batching on, the load tables' set-up) on
 * purchase at 32 connections, with log and monitor off, with the SQLite log
 * (`@ponte/store-sqlite`), and with the SQLite log and `@ponte/monitor`
 * (purchase with `monitoring: { window: { rows: 1000 } }` and its reference
 * profile examples/models/purchase/1/profile.json; the monitor's default tick
 * and lag). Measured interleaved in rounds as the prediction-log section,
 * with monitoringRounds()' warm-up and run length for every set-up; each
 * logging run gets a fresh SQLite file (removed after it), so every run
 * starts from an empty log. For the monitored set-up the bench reads the
 * monitoring report at the start and at the end of each measured run (the
 * windows it closed during the run, how far behind the log it was) and
 * counts the rows the log committed meanwhile. The memory per monitored
 * feature is measured on the engine directly (monitor-memory.ts).
 */
export async function runMonitoring(plan: LoadPlan, prometheus: boolean, plugins: MonitoringPlugins): Promise<MonitoringResult> {
  const { model, connections, windowRows, tickS, lagS } = MONITORING;
  const base: PonteVariant = { model, batching: true, prometheus };
  const noSqlite = plugins.sqlite ? undefined : '@ponte/store-sqlite is not built or does not load';
  const noMonitor = noSqlite ?? (plugins.monitor ? undefined : '@ponte/monitor is not built or does not load');
  const setups: Setup[] = [
    { key: 'off', label: 'log and monitor off', variant: () => base },
    { key: 'sqlite', label: 'SQLite log', variant: (file) => ({ ...base, store: { kind: 'sqlite', file } }), ...(noSqlite ? { skip: noSqlite } : {}) },
    {
      key: 'sqlite-monitor', label: 'SQLite log + monitor', variant: (file) => ({ ...base, store: { kind: 'sqlite', file }, monitorWindowRows: windowRows }),
      ...(noMonitor ? { skip: noMonitor } : {}),
    },
  ];
  const variants: MonitoringVariant[] = setups.map((s) => ({
    key: s.key, label: s.label, status: s.skip ? 'skipped' : 'ok', ...(s.skip ? { note: s.skip } : {}), runs: [], ...(s.key === 'sqlite-monitor' ? { monitor: [] } : {}),
  }));
  const log = plan.log ?? (() => undefined);
  const memory = await measureMonitorMemory(model);
  log(`  memory per monitored feature: ${memory.status === 'ok' ? `window state ${Math.round(memory.windowBytesPerFeature)} B, profile ${Math.round(memory.profileBytesPerFeature)} B (JSON, ${memory.features} features)` : memory.note}`);
  // The load tables' executor notes are about their own rows: leave these out.
  const { onPonteFacts: _facts, ...quiet } = plan;
  const rounds = monitoringRounds(plan);
  for (let i = 0; i < rounds.runs; i++) {
    for (const [k, s] of roundOrder(setups, i)) {
      const v = variants[k]!;
      if (v.status !== 'ok') continue;
      const file = join(plan.tmp, `monitoring-${s.key}-${i + 1}.sqlite`);
      const logs = s.key !== 'off';
      const reader = logs ? await sqliteReader(file) : undefined;
      const monitored = v.monitor !== undefined;
      let seqAtStart = 0;
      let loggedAtStart = 0;
      let figures: MonitorRunFigures | undefined;
      let monitorProblem: string | undefined;
      let stop: StopInfo | undefined;
      const c = sectionPonte(s.variant(file), `monitoring-${s.key}`, `Ponte OIP, ${s.label}`);
      try {
        const row = await measureLoad(c, {
          ...quiet, connections, runs: 1, durationS: rounds.durationS, warmupS: rounds.warmupS, stopGraceMs: PREDICTION_LOG.stopGraceMs,
          onStopped: (x) => { stop = x; },
          ...(monitored && reader ? {
            beforeRuns: async (url: string) => {
              loggedAtStart = await reader.count();
              try { seqAtStart = Math.max(0, ...(await listWindows(url, model)).map((w) => w.seq)); } catch (e) { monitorProblem = (e as Error).message; }
            },
            afterRuns: async (url: string) => {
              const endedAt = Date.now();
              const logged = await reader.count() - loggedAtStart;
              try {
                const windows = await listWindows(url, model);
                const during = windows.filter((w) => w.seq > seqAtStart);
                const newest = windows[windows.length - 1];
                figures = {
                  windowsClosed: Math.max(0, ...windows.map((w) => w.seq)) - seqAtStart,
                  rowsMonitored: during.reduce((a, w) => a + w.rows, 0),
                  rowsLogged: logged,
                  runS: 0,
                  windowsTotal: windows.length,
                  ...(newest ? { behindS: (endedAt - Date.parse(newest.end)) / 1000 } : {}),
                };
              } catch (e) { monitorProblem = (e as Error).message; }
            },
          } : {}),
        });
        if (row.status !== 'ok' || !row.stats) {
          v.status = 'failed';
          v.note = `run ${i + 1}: ${row.note ?? row.status}`;
          continue;
        }
        v.runs.push(row.stats);
        const notes: string[] = [];
        if (row.stats.errors > 0) notes.push(`run ${i + 1}: ${row.stats.errors} socket errors or non-2xx answers`);
        if (stop !== undefined && stop.exit !== 0 && logs) notes.push(`run ${i + 1}: the server exited ${stop.exit} after ${Math.round(stop.ms)} ms of stopping`);
        if (monitored) {
          const failedTicks = stop ? monitorTrouble(stop.logFile) : 0;
          if (failedTicks > 0) notes.push(`run ${i + 1}: ${failedTicks}× "monitoring tick failed" in Ponte's log`);
          if (monitorProblem !== undefined) notes.push(`run ${i + 1}: ${monitorProblem}`);
          const f: MonitorRunFigures = figures ? { ...figures, runS: row.stats.durationS } : { windowsClosed: 0, rowsMonitored: 0, rowsLogged: 0, runS: row.stats.durationS, windowsTotal: 0 };
          v.monitor!.push(f);
          log(`    monitor: ${f.windowsClosed} windows closed during the run (${f.rowsMonitored} rows; ${f.rowsLogged} logged), ${f.windowsTotal} in the report, ${f.behindS !== undefined ? `${f.behindS.toFixed(1)} s behind at the end` : 'no window closed yet'}`);
        }
        if (notes.length) v.note = [v.note, ...notes].filter(Boolean).join('; ');
      } finally {
        await reader?.close();
        if (logs) removeSqlite(file);
      }
    }
  }
  return { model, connections, windowRows, tickS, lagS, warmupS: rounds.warmupS, durationS: rounds.durationS, variants, memory };
}
