import { LOG_MIN_RATIO, LOG_MIN_SHARE, summarizePredictionLog } from './prediction-log-verdict.js';
import { LOG_ROUNDS, LOG_SLICE_S, SLICE_GAP_MS } from './prediction-log.js';
import type { BenchResults } from './results.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number | undefined): string => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

/** The prediction-log table: log off, SQLite log, PostgreSQL log; throughput, ratio vs off, and what each store took. */
export function predictionLogSection(r: BenchResults): string[] {
  const p = r.predictionLog;
  if (!p) return ['Not measured in this run.'];
  const out = [
    `Ponte OIP (batching on) on ${p.model}, ${p.connections} connections (wrk), one server per set-up for the whole section, each started, checked against the golden rows and warmed up once; then ${LOG_ROUNDS} rounds in a full run, each giving every set-up one ${LOG_SLICE_S} s slice of load, with ${SLICE_GAP_MS / 1000} s after each slice (a log's last commit lands then, not in the next set-up's slice), the first of each round rotating so that each runs first equally often (round-order.ts, interleaved-load.ts). The slices of a round run seconds apart, so a change in the machine's speed falls on all of them alike (a fresh server per run, the method until 2026-12-05, put 15–25 s between them; this VM's speed moves 2× within a minute). Each row shows the median over its slices (p50 and p99 of the median slice). ` +
      'All set-ups are the load tables\' Ponte (metrics on when `@ponte/exporter-prometheus` loads, one access line per request, JSON Schema validation). ' +
      'Log off: no store. SQLite log: `@ponte/store-sqlite` with one file in the run\'s temp folder for the whole section (WAL, `synchronous=FULL`; its commits run on a writer thread of the server, on CPU 0 with it). ' +
      'PostgreSQL log: `@ponte/store-postgres` on the local PostgreSQL (127.0.0.1:5432), a fresh schema for the section, dropped at its end; PostgreSQL\'s own processes are not pinned and share both CPUs with Ponte and wrk. ' +
      'Every prediction is logged (the models\' `logging` defaults). ' +
      '**Records/s**: rows committed from the first slice to the last (counted before and after them, the server up) per second of load (the slices\' seconds). ' +
      '**Share logged**: rows the store gained from each server, counted after it stopped (stopping drains the log), over the requests it answered — the 10 golden-check requests, the warm-up and every slice included (wrk does not count requests in flight when a run ends, which the server still answers and logs: a share a hair over 100% is those). ' +
      '**Dropped / missing**: predictions the server counted as not logged by its last slice (`ponte_prediction_log_dropped_total`, queue full or refused batches) / answered but neither stored nor counted as dropped. ' +
      '**Bytes per record**: the store on disk at the end over the rows in it (SQLite: the file and its -wal, after the server stopped; PostgreSQL: `pg_total_relation_size` of predictions and feedback, indexes and TOAST included). ' +
      `Target: each log row ≥ ${LOG_MIN_RATIO * 100}% of log off, with at least ${LOG_MIN_SHARE * 100}% of its answered predictions stored. Run-to-run noise on a shared machine is about ±10%; the spread column shows this run's.`,
    '',
    '| set-up | slices | median req/s | vs log off: paired (ratio of medians) | p50 / p99 ms (median slice) | spread (max−min)/median | records/s during the slices | share of answered logged | dropped / missing | drained at stop (most; stop ms) | bytes per record | each slice req/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const sums = summarizePredictionLog(p);
  const notes: string[] = [];
  for (const [i, v] of p.variants.entries()) {
    const s = sums[i]!;
    const mark = v.note ? ` [${notes.push(`${v.label}: ${v.note}`)}]` : '';
    const status = v.status === 'ok' ? '' : ` — **${v.status}**`;
    const short = s.shareLogged !== undefined && s.shareLogged < LOG_MIN_SHARE;
    // The mark follows the verdict: the paired ratio (median over rounds of the ratio within a round); the ratio of medians beside it.
    const judged = s.pairedRatio ?? s.ratio;
    const ratio = s.ratio === undefined || judged === undefined ? '–' : v.key === 'off' ? pct(s.ratio) : `${pct(judged)}${judged >= LOG_MIN_RATIO && !short ? ' ✅' : ' ❌'} (${pct(s.ratio)})`;
    const store = v.key !== 'off' && v.status === 'ok';
    out.push([
      `| ${cell(v.label)}${status}${mark}`,
      String(s.runs),
      s.medianRps !== undefined ? int(s.medianRps) : '–',
      ratio,
      s.medianRun ? `${s.medianRun.p50Ms.toFixed(2)} / ${s.medianRun.p99Ms.toFixed(2)}` : '–',
      s.spread !== undefined ? pct(s.spread) : '–',
      store && s.recordsPerS !== undefined ? int(s.recordsPerS) : '–',
      store ? `${pct(s.shareLogged)}${short ? ' ❌' : ''}` : '–',
      store ? `${s.dropped !== undefined ? int(s.dropped) : '?'} / ${s.missing !== undefined ? int(s.missing) : '?'}` : '–',
      store && s.maxDrained !== undefined ? `${int(s.maxDrained)}; ${int(s.maxStopMs ?? 0)}` : '–',
      store && s.bytesPerRecord !== undefined ? int(s.bytesPerRecord) : '–',
      `${v.runs.map((x) => int(x.rps)).join(', ') || '–'} |`,
    ].join(' | '));
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  return out;
}
