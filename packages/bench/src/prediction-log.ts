import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureInterleaved } from './interleaved-load.js';
import type { LoadPlan, StopInfo } from './load.js';
import { benchSchema, postgresReader, POSTGRES_URL, sqliteReader, type StoreReader } from './log-stores.js';
import type { PonteVariant } from './ponte-config.js';
import { ponte } from './ponte-server.js';
import type { LogWrites, PredictionLogResult, PredictionLogVariant } from './results.js';

/**
 * The prediction-log section's model and concurrency: the telemetry
 * section's (saturation, as the load tables). A stopping server drains its
 * log queue (up to 20,000 records) within `server.shutdownTimeoutMs` (10 s by
 * default), so it gets longer than the usual 5 s before it is killed.
 */
export const PREDICTION_LOG = { model: 'purchase', connections: 32, stopGraceMs: 20_000 } as const;

/** Which store plugins load here (packages written in parallel may not be built). */
export interface LogStorePlugins {
  sqlite: boolean;
  postgres: boolean;
}

/** Lines of Ponte's log that say the prediction log lost or delayed records. */
const LOG_TROUBLE = [
  'predictions not logged (the answers were not affected)',
  'shutdown timeout reached with prediction records unwritten',
  'prediction sink failed to write',
  'prediction sink failed to flush',
];

/**
 * `ponte_prediction_log_dropped_total` from a Prometheus scrape, summed by
 * reason (`queue_full`, `store_error`) over models.
 *
 * @example parseLogDrops('ponte_prediction_log_dropped_total{model="purchase",reason="queue_full"} 12\n') // { queue_full: 12 }
 */
export function parseLogDrops(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const m = /^\w*prediction_log_dropped_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const reason = /reason="([^"]*)"/.exec(m[1]!)?.[1] ?? 'unknown';
    out[reason] = (out[reason] ?? 0) + Number(m[2]);
  }
  return out;
}

async function scrapeDrops(baseUrl: string): Promise<Record<string, number> | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.status === 200 ? parseLogDrops(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts of the log-trouble lines in a Ponte log, e.g. `2× "prediction sink failed to write"`. */
function troubleInLog(logFile: string): string[] {
  let text = '';
  try { text = readFileSync(logFile, 'utf8'); } catch { return []; }
  return LOG_TROUBLE.map((msg) => [msg, text.split(`"msg":"${msg}"`).length - 1] as const).filter(([, n]) => n > 0).map(([msg, n]) => `${n}× "${msg}"`);
}

/** Pause after each slice: a log's last commit (at most 200 ms after its last record) lands before the next set-up's slice. */
export const SLICE_GAP_MS = 400;

/** Rounds of a full run (one slice of each set-up a round, 4 s each); a quick run keeps its runs and duration. */
export const LOG_ROUNDS = 15;
export const LOG_SLICE_S = 4;

/** The section's rounds and slice length: 15 × 4 s in a full run (about 4 min in all), the plan's runs × duration in a quick one. */
export function predictionLogRounds(plan: Pick<LoadPlan, 'runs' | 'durationS'>): { rounds: number; sliceS: number } {
  return plan.runs >= 3 ? { rounds: LOG_ROUNDS, sliceS: LOG_SLICE_S } : { rounds: plan.runs, sliceS: plan.durationS };
}

interface Setup {
  key: string;
  label: string;
  variant: PonteVariant;
  skip?: string;
}

/**
 * Prediction-log cost: Ponte (OIP, batching on) on purchase at 32
 * connections, three set-ups — log off (no store), the SQLite log
 * (`@ponte/store-sqlite`, one file in the run's temp folder for the whole
 * section) and the PostgreSQL log (`@ponte/store-postgres` on the local
 * PostgreSQL, a fresh schema `ponte_bench_<random>` dropped at the end). The
 * set-ups run side by side in time (interleaved-load.ts): one server each for
 * the whole section, started, checked and warmed once, then
 * `predictionLogRounds()` rounds of one wrk slice per set-up, seconds apart.
 * For the stores the bench counts the rows before the servers start, before
 * the first slice and after the last, and after the servers stopped
 * (stopping drains the log), reads the log's drop counter after the last
 * slice (with metrics on), and the store's size on disk at the end.
 */
export async function runPredictionLog(plan: LoadPlan, prometheus: boolean, plugins: LogStorePlugins): Promise<PredictionLogResult> {
  const { model, connections, stopGraceMs } = PREDICTION_LOG;
  const base = { model, batching: true, prometheus };
  const schema = benchSchema();
  const sqliteFile = join(plan.tmp, 'prediction-log.sqlite');
  const setups: Setup[] = [
    { key: 'off', label: 'log off', variant: base },
    { key: 'sqlite', label: 'SQLite log', variant: { ...base, store: { kind: 'sqlite', file: sqliteFile } }, ...(plugins.sqlite ? {} : { skip: '@ponte/store-sqlite is not built or does not load' }) },
    { key: 'postgres', label: 'PostgreSQL log', variant: { ...base, store: { kind: 'postgres', connectionString: POSTGRES_URL, schema } }, ...(plugins.postgres ? {} : { skip: '@ponte/store-postgres is not built or does not load' }) },
  ];
  const readers = new Map<string, StoreReader>();
  let pg: Awaited<ReturnType<typeof postgresReader>> | undefined;
  const log = plan.log ?? (() => undefined);
  try {
    for (const s of setups) {
      if (s.skip !== undefined || s.key === 'off') continue;
      try {
        if (s.key === 'sqlite') readers.set(s.key, await sqliteReader(sqliteFile));
        else readers.set(s.key, pg = await postgresReader(POSTGRES_URL, schema));
      } catch (e) {
        s.skip = s.key === 'sqlite' ? `better-sqlite3 does not load in the bench: ${(e as Error).message}` : `PostgreSQL at ${POSTGRES_URL} cannot be reached: ${(e as Error).message}`;
      }
    }
    const variants: PredictionLogVariant[] = setups.map((s) => ({
      key: s.key, label: s.label, status: s.skip ? 'skipped' : 'ok', ...(s.skip ? { note: s.skip } : {}), runs: [], ...(s.key !== 'off' ? { writes: [] } : {}),
    }));
    // The load tables' executor notes are about their own rows: leave these out.
    const { onPonteFacts: _facts, runs: _runs, durationS: _durationS, beforeRuns: _b, afterRuns: _a, onStopped: _s, ...quiet } = plan;
    const { rounds, sliceS } = predictionLogRounds(plan);
    const counts = await Promise.all(setups.map(async (s) => ({ before: await readers.get(s.key)?.count() ?? 0, atStart: 0, atEnd: 0, dropped: undefined as Record<string, number> | undefined, stop: undefined as StopInfo | undefined })));
    const measured = await measureInterleaved(setups.map((s, k) => {
      const reader = readers.get(s.key);
      const c = counts[k]!;
      return {
        contender: { ...ponte(s.variant, 'oip'), key: `log-${s.key}`, label: `Ponte OIP, ${s.label}`, ...(s.skip !== undefined ? { skip: s.skip } : {}) },
        onStopped: (x: StopInfo) => { c.stop = x; },
        ...(reader ? {
          beforeRuns: async () => { c.atStart = await reader.count(); },
          afterRuns: async (url: string) => {
            c.atEnd = await reader.count();
            if (prometheus) c.dropped = await scrapeDrops(url);
          },
        } : {}),
      };
    }), { ...quiet, connections, rounds, sliceS, gapMs: SLICE_GAP_MS, stopGraceMs });
    for (const [k, s] of setups.entries()) {
      const v = variants[k]!;
      const row = measured[k]!;
      if (v.status !== 'ok') continue;
      if (row.status !== 'ok' || !row.runs) {
        v.status = 'failed';
        v.note = row.note ?? row.status;
        continue;
      }
      v.runs = row.runs;
      const notes: string[] = row.note !== undefined ? [row.note] : [];
      const reader = readers.get(s.key);
      const c = counts[k]!;
      if (reader) {
        const storeBytes = await reader.bytes(); // before count(): SQLite's reader must not be what leaves a -wal behind
        const after = await reader.count();
        const w: LogWrites = {
          answered: (row.golden !== 'n/a' ? row.golden?.rows ?? 0 : 0) + (row.warmup?.requests ?? 0) + row.runs.reduce((a, x) => a + x.requests, 0),
          stored: after - c.before,
          storedDuringRun: c.atEnd - c.atStart,
          storedAtRunEnd: c.atEnd - c.before,
          runS: row.runs.reduce((a, x) => a + x.durationS, 0),
          ...(c.dropped ? { dropped: c.dropped } : {}),
          stopMs: c.stop?.ms ?? 0,
          exit: c.stop?.exit ?? 'unknown',
          storeBytes,
          ...(after > 0 ? { bytesPerRecord: storeBytes / after } : {}),
        };
        v.writes!.push(w);
        const trouble = c.stop ? troubleInLog(c.stop.logFile) : [];
        if (w.exit !== 0) notes.push(`the server exited ${w.exit} after ${Math.round(w.stopMs)} ms of stopping (records still queued are lost)`);
        if (trouble.length) notes.push(`Ponte's log: ${trouble.join(', ')}`);
        log(`    ${s.label}: ${w.stored} records stored of ${w.answered} answered, ${Math.round(w.storedDuringRun / w.runS)} records/s during the slices, ${w.stored - w.storedAtRunEnd} drained at stop (${Math.round(w.stopMs)} ms)`);
      }
      if (notes.length) v.note = [v.note, ...notes].filter(Boolean).join('; ');
    }
    return { model, connections, variants };
  } finally {
    for (const r of readers.values()) await r.close().catch(() => undefined);
    if (pg) {
      // A fresh connection: the reader's is closed, and a failed run may have left it broken.
      await dropSchema(schema).catch((e: Error) => log(`  could not drop schema ${schema}: ${e.message}`));
    }
  }
}

async function dropSchema(schema: string): Promise<void> {
  const r = await postgresReader(POSTGRES_URL, schema);
  try { await r.dropSchema(); } finally { await r.close(); }
}
