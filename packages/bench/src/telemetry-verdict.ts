import type { TelemetryResult, TelemetryVariant } from './results.js';
import type { TargetCheck } from './targets.js';
import { median } from './wrk.js';

/** Throughput with telemetry on must be at least this fraction of telemetry off. */
export const TELEMETRY_MIN_RATIO = 0.95;

/** A telemetry row's medians over its runs, and its req/s over the off row's. */
export interface TelemetrySummary {
  key: string;
  label: string;
  runs: number;
  medianRps?: number;
  medianP99Ms?: number;
  /** (max − min) / median of the runs' req/s: how noisy this row was. */
  spread?: number;
  /** medianRps / the off row's medianRps. */
  ratio?: number;
}

/** Rows shown for reference only, not judged against the target. */
export function isReference(key: string): boolean {
  return key.startsWith('reference') || key.endsWith('otel-metrics');
}

/** Medians, spread and ratio vs off of each telemetry row. */
export function summarizeTelemetry(t: TelemetryResult): TelemetrySummary[] {
  const base = (v: TelemetryVariant): TelemetrySummary => {
    const rps = v.runs.map((r) => r.rps);
    if (v.status !== 'ok' || rps.length === 0) return { key: v.key, label: v.label, runs: rps.length };
    const m = median(rps);
    return { key: v.key, label: v.label, runs: rps.length, medianRps: m, medianP99Ms: median(v.runs.map((r) => r.p99Ms)), spread: m > 0 ? (Math.max(...rps) - Math.min(...rps)) / m : undefined };
  };
  const rows = t.variants.map(base);
  const off = rows.find((r) => r.key === 'off')?.medianRps;
  return rows.map((r) => (r.medianRps !== undefined && off ? { ...r, ratio: r.medianRps / off } : r));
}

/** The telemetry target, judged on each telemetry-on row: median req/s ≥ 95% of off. */
export function telemetryChecks(t: TelemetryResult): TargetCheck[] {
  return summarizeTelemetry(t).filter((r) => r.key !== 'off' && !isReference(r.key)).map((r) => ({
    target: `telemetry (${t.model}, ${t.connections} conn.): ${r.label} req/s ≥ ${TELEMETRY_MIN_RATIO * 100}% of telemetry off (median of ${r.runs})`,
    measured: r.ratio === undefined ? 'n/a' : `${(r.ratio * 100).toFixed(1)}%`,
    pass: r.ratio === undefined ? undefined : r.ratio >= TELEMETRY_MIN_RATIO,
  }));
}
