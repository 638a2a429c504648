import type { MonitoringResult, MonitorRunFigures } from './results.js';
import { summarizeSetups, type SetupSummary } from './setup-summary.js';
import type { TargetCheck } from './targets.js';
import { median } from './wrk.js';

/** Throughput with the log and the monitor on must be at least this fraction of both off (the issue's target). */
export const MONITORING_MIN_RATIO = 0.85;

/** The set-up the target is judged on; the SQLite-log row is a figure, the step between the two. */
export const MONITORING_TARGET_ROW = 'sqlite-monitor';

/**
 * How far behind the log the monitor may be at the end of a run and still
 * count as keeping up, seconds: by design it reads `lag` seconds behind, once
 * every `tick` (plus the tick's own time); a second tick of slack for a busy
 * machine. A monitor that falls behind the traffic drifts past it.
 */
export function maxBehindS(m: Pick<MonitoringResult, 'tickS' | 'lagS'>): number {
  return m.lagS + 2 * m.tickS;
}

/** A monitoring row: the set-up figures, and for the monitored set-up what the monitor did. */
export interface MonitoringSummary extends SetupSummary {
  /** Windows closed during the measured runs, every run together. */
  windowsClosed?: number;
  /** Fewest windows closed during one run. */
  minWindowsClosed?: number;
  /** Median over runs of the rows in the windows closed during the run, per second of it. */
  monitoredPerS?: number;
  /** Median over runs of the rows the log committed during the run, per second of it. */
  loggedPerS?: number;
  /** Largest `behindS` of any run; undefined when a run ended with no closed window. */
  maxBehindS?: number;
  /** Every run closed a window and ended at most maxBehindS() behind the log. */
  keptUp?: boolean;
}

function monitorFigures(runs: readonly MonitorRunFigures[], limitS: number): Partial<MonitoringSummary> {
  if (runs.length === 0) return {};
  const behind = runs.map((r) => r.behindS);
  const known = behind.every((b): b is number => b !== undefined);
  const maxBehind = known ? Math.max(...behind) : undefined;
  const minClosed = Math.min(...runs.map((r) => r.windowsClosed));
  return {
    windowsClosed: runs.reduce((a, r) => a + r.windowsClosed, 0),
    minWindowsClosed: minClosed,
    monitoredPerS: median(runs.map((r) => (r.runS > 0 ? r.rowsMonitored / r.runS : 0))),
    loggedPerS: median(runs.map((r) => (r.runS > 0 ? r.rowsLogged / r.runS : 0))),
    ...(maxBehind !== undefined ? { maxBehindS: maxBehind } : {}),
    keptUp: minClosed > 0 && maxBehind !== undefined && maxBehind <= limitS,
  };
}

/** Medians, spread, ratio vs both off, and the monitor's figures of each monitoring row. */
export function summarizeMonitoring(m: MonitoringResult): MonitoringSummary[] {
  const sums = summarizeSetups(m.variants);
  return m.variants.map((v, i) => (v.monitor !== undefined && v.status === 'ok' ? { ...sums[i]!, ...monitorFigures(v.monitor, maxBehindS(m)) } : sums[i]!));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * The issue's monitoring target: req/s with the SQLite log and the monitor
 * on ≥ 85% of both off, same run, judged on the paired ratio (the median over
 * rounds of the ratio within a round; the ratio of medians beside it). A skipped set-up is not measured;
 * a failed one misses; so does one whose monitor did not keep up (a run
 * that closed no window, or ended further behind the log than maxBehindS()):
 * a monitor that does not monitor is cheap.
 */
export function monitoringChecks(m: MonitoringResult): TargetCheck[] {
  const v = m.variants.find((x) => x.key === MONITORING_TARGET_ROW);
  if (!v) return [];
  const s = summarizeMonitoring(m).find((x) => x.key === MONITORING_TARGET_ROW)!;
  const off = m.variants.find((x) => x.key === 'off');
  const target = `monitoring (${m.model}, ${m.connections} conn.): ${v.label} req/s ≥ ${MONITORING_MIN_RATIO * 100}% of log and monitor off (median over ${s.runs} rounds of the ratio within the round), the monitor keeping up`;
  if (v.status === 'skipped') return [{ target, measured: `not measured: ${v.note ?? 'skipped'}`, pass: undefined }];
  if (v.status === 'failed') return [{ target, measured: `failed: ${v.note ?? '?'}`, pass: false }];
  if (off?.status !== 'ok' || s.ratio === undefined || s.pairedRatio === undefined) return [{ target, measured: `n/a (log and monitor off ${off?.status ?? 'missing'})`, pass: undefined }];
  const lag = s.keptUp ? '' : s.minWindowsClosed === 0 ? ', but a run closed no monitoring window' : `, but the monitor was ${s.maxBehindS === undefined ? 'without a closed window' : `${s.maxBehindS.toFixed(1)} s`} behind the log (at most ${maxBehindS(m)} s)`;
  return [{ target, measured: `${pct(s.pairedRatio)} (ratio of medians ${pct(s.ratio)})${lag}`, pass: s.pairedRatio >= MONITORING_MIN_RATIO && s.keptUp === true }];
}
