import type { LoadStats, SetupVariant } from './results.js';
import { median, medianRun } from './wrk.js';

/** One row of a set-up table (security, monitoring): medians over its runs and its ratio vs the baseline row. */
export interface SetupSummary {
  key: string;
  label: string;
  runs: number;
  medianRps?: number;
  /** The median run (by req/s): its p50 and p99. */
  medianRun?: LoadStats;
  /** (max − min) / median of the runs' req/s: how noisy this row was. */
  spread?: number;
  /** medianRps / the baseline row's medianRps. */
  ratio?: number;
  /** Median over rounds of this row's req/s over the baseline's in the same round (see pairedRatio). */
  pairedRatio?: number;
  /** Non-2xx answers over every measured run: a set-up that refused requests was fast for the wrong reason. */
  non2xx: number;
}

/**
 * Medians, spread and ratio vs the `baseline` row (`off`) of each set-up
 * measured in interleaved rounds. A set-up that did not measure (skipped,
 * failed) keeps only its key, label and run count.
 *
 * @example summarizeSetups([{ key: 'off', label: 'off', status: 'ok', runs }, …])[1].ratio
 */
export function summarizeSetups(variants: readonly SetupVariant[], baseline = 'off'): SetupSummary[] {
  const rows = variants.map((v): SetupSummary => {
    const rps = v.runs.map((r) => r.rps);
    const out: SetupSummary = { key: v.key, label: v.label, runs: rps.length, non2xx: v.runs.reduce((s, r) => s + r.non2xx, 0) };
    if (v.status !== 'ok' || rps.length === 0) return out;
    const m = median(rps);
    return { ...out, medianRps: m, medianRun: medianRun(v.runs), ...(m > 0 ? { spread: (Math.max(...rps) - Math.min(...rps)) / m } : {}) };
  });
  const base = rows.find((r) => r.key === baseline)?.medianRps;
  const baseRuns = variants.find((v) => v.key === baseline)?.runs.map((r) => r.rps) ?? [];
  return rows.map((r, i) => {
    if (r.medianRps === undefined || !base) return r;
    const paired = pairedRatio(variants[i]!.runs.map((x) => x.rps), baseRuns);
    return { ...r, ratio: r.medianRps / base, ...(paired !== undefined ? { pairedRatio: paired } : {}) };
  });
}

/**
 * The median over rounds of a set-up's req/s over the baseline's req/s in
 * the same round (run i of each; rounds run the set-ups back to back, seconds
 * apart). On a VM whose speed drifts within a run, a slow spell lowers both
 * runs of a round alike: this ratio moves less with it than the ratio of the
 * two medians, which can pair a slow run of one with a fast run of the other.
 *
 * @example pairedRatio([90, 45, 95], [100, 50, 100]) // 0.9
 */
export function pairedRatio(runs: readonly number[], baseline: readonly number[]): number | undefined {
  const n = Math.min(runs.length, baseline.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) if (baseline[i]! > 0) ratios.push(runs[i]! / baseline[i]!);
  return ratios.length === 0 ? undefined : median(ratios);
}
