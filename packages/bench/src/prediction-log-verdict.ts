import type { LoadStats, PredictionLogResult, PredictionLogVariant } from './results.js';
import type { TargetCheck } from './targets.js';
import { pairedRatio } from './setup-summary.js';
import { median, medianRun } from './wrk.js';

/** Throughput with a prediction log must be at least this fraction of the same server without one (the issue's target). */
export const LOG_MIN_RATIO = 0.9;
/**
 * A log set-up only counts as "with the log" when at least this share of the
 * predictions it answered reached the store: a store that drops records
 * (queue full, refused batches) would otherwise pass by not logging.
 */
export const LOG_MIN_SHARE = 0.99;

/** One row of the prediction-log table: medians over its runs, ratio vs log off, and what the store took. */
export interface PredictionLogSummary {
  key: string;
  label: string;
  runs: number;
  medianRps?: number;
  /** The median run (by req/s): its p50 and p99. */
  medianRun?: LoadStats;
  /** (max − min) / median of the runs' req/s. */
  spread?: number;
  /** medianRps / the log-off row's medianRps. */
  ratio?: number;
  /** Median over rounds of the run's req/s / the log-off run's in the same round (setup-summary.ts, pairedRatio). */
  pairedRatio?: number;
  /** Median over runs of the rows committed during the measured run per second of it. */
  recordsPerS?: number;
  /** Rows stored over requests answered (golden check + warm-up + measured run), every run together. */
  shareLogged?: number;
  /** Predictions the server counted as dropped by the end of its run, every run together. */
  dropped?: number;
  /** Answered, not stored and not counted as dropped, every run together (0 when the drop counter was not read: unknown). */
  missing?: number;
  /** Rows drained after the load stopped (in the queue at the end of the run), largest of any run. */
  maxDrained?: number;
  /** Longest stop (SIGTERM to exit, draining included), ms. */
  maxStopMs?: number;
  /** Bytes on disk per record after the last run (the fullest store). */
  bytesPerRecord?: number;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function summarize(v: PredictionLogVariant): PredictionLogSummary {
  const rps = v.runs.map((r) => r.rps);
  const out: PredictionLogSummary = { key: v.key, label: v.label, runs: rps.length };
  if (v.status !== 'ok' || rps.length === 0) return out;
  const m = median(rps);
  Object.assign(out, { medianRps: m, medianRun: medianRun(v.runs), spread: m > 0 ? (Math.max(...rps) - Math.min(...rps)) / m : undefined });
  const w = v.writes ?? [];
  if (w.length === 0) return out;
  const answered = sum(w.map((x) => x.answered));
  const dropCounts = w.map((x) => (x.dropped ? sum(Object.values(x.dropped)) : undefined));
  const known = dropCounts.every((d) => d !== undefined);
  const last = w[w.length - 1]!;
  return {
    ...out,
    recordsPerS: median(w.map((x) => x.storedDuringRun / x.runS)),
    shareLogged: answered > 0 ? sum(w.map((x) => x.stored)) / answered : undefined,
    ...(known ? { dropped: sum(dropCounts as number[]), missing: sum(w.map((x, i) => Math.max(0, x.answered - x.stored - dropCounts[i]!))) } : {}),
    maxDrained: Math.max(...w.map((x) => x.stored - x.storedAtRunEnd)),
    maxStopMs: Math.max(...w.map((x) => x.stopMs)),
    ...(last.bytesPerRecord !== undefined ? { bytesPerRecord: last.bytesPerRecord } : {}),
  };
}

/** Medians, spread, ratio vs log off and the store figures of each prediction-log row. */
export function summarizePredictionLog(p: PredictionLogResult): PredictionLogSummary[] {
  const rows = p.variants.map(summarize);
  const off = rows.find((r) => r.key === 'off')?.medianRps;
  const offRuns = p.variants.find((v) => v.key === 'off')?.runs.map((r) => r.rps) ?? [];
  return rows.map((r, i) => {
    if (r.medianRps === undefined || !off) return r;
    const paired = pairedRatio(p.variants[i]!.runs.map((x) => x.rps), offRuns);
    return { ...r, ratio: r.medianRps / off, ...(paired !== undefined ? { pairedRatio: paired } : {}) };
  });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * The issue's prediction-log targets: for each store, req/s ≥ 90% of log off
 * in the same run, judged on the paired ratio (the median over rounds of the
 * store's run over the log-off run of that round; the ratio of the two
 * medians is shown beside it). A skipped store (not built, PostgreSQL not
 * reachable) is not measured; a store whose server failed misses; so does one
 * that stored fewer than LOG_MIN_SHARE of the predictions it answered.
 */
export function predictionLogChecks(p: PredictionLogResult): TargetCheck[] {
  const sums = summarizePredictionLog(p);
  const off = p.variants.find((v) => v.key === 'off');
  return p.variants.filter((v) => v.key !== 'off').map((v) => {
    const s = sums.find((x) => x.key === v.key)!;
    const target = `prediction log (${p.model}, ${p.connections} conn.): ${v.label} req/s ≥ ${LOG_MIN_RATIO * 100}% of log off (median over ${s.runs} rounds of the ratio within the round)`;
    if (v.status === 'skipped') return { target, measured: `not measured: ${v.note ?? 'skipped'}`, pass: undefined };
    if (v.status === 'failed') return { target, measured: `failed: ${v.note ?? '?'}`, pass: false };
    if (off?.status !== 'ok' || s.ratio === undefined || s.pairedRatio === undefined) return { target, measured: `n/a (log off ${off?.status ?? 'missing'})`, pass: undefined };
    const short = s.shareLogged !== undefined && s.shareLogged < LOG_MIN_SHARE;
    return {
      target,
      measured: `${pct(s.pairedRatio)} (ratio of medians ${pct(s.ratio)})${short ? `, but only ${pct(s.shareLogged!)} of answered predictions stored` : ''}`,
      pass: s.pairedRatio >= LOG_MIN_RATIO && !short,
    };
  });
}
