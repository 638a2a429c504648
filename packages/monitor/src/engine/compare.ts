/** Comparing a window's measured performance with the reference performance. */
import type { MetricValue } from './types.js';

/** Metrics where a larger value is worse. */
const LOWER_IS_BETTER = new Set(['log_loss', 'ece', 'mae', 'rmse']);

/** A performance record: metric name → value (other fields such as `n` or `average` are ignored). */
export type PerformanceLike = Readonly<Record<string, MetricValue | null | number | string>>;

export type MetricChange = {
  reference: number;
  current: MetricValue;
  /** current − reference. */
  change: number;
  /** The current interval excludes the reference value on the bad side. */
  degraded: boolean;
  /** The current interval excludes the reference value on the good side. */
  improved: boolean;
};

/**
 * For each metric present in both, whether the current 95 % interval excludes the reference value
 * (the NannyML-style rule MONITORING.md recommends for performance alerts). Metrics without an
 * interval are reported with `degraded: false`.
 */
export function comparePerformance(reference: PerformanceLike, current: PerformanceLike): Record<string, MetricChange> {
  const out: Record<string, MetricChange> = {};
  for (const [name, ref] of Object.entries(reference)) {
    const cur = current[name];
    if (ref === null || typeof ref !== 'object' || cur === null || cur === undefined || typeof cur !== 'object') continue;
    const lower = LOWER_IS_BETTER.has(name);
    const above = cur.ci_low !== null && cur.ci_low > ref.value;
    const below = cur.ci_high !== null && cur.ci_high < ref.value;
    // For mean_error neither direction is "better": report a shift either way as degraded.
    const twoSided = name === 'mean_error';
    out[name] = { reference: ref.value, current: cur, change: cur.value - ref.value, degraded: twoSided ? above || below : lower ? above : below, improved: twoSided ? false : lower ? below : above };
  }
  return out;
}
