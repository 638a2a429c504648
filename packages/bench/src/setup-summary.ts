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
  return rows.map((r) => (r.medianRps !== undefined && base ? { ...r, ratio: r.medianRps / base } : r));
}
