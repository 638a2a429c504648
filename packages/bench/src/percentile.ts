import type { LatencySummary } from './results.js';

/**
 * The p-th percentile (nearest rank) of numbers sorted ascending; 0 for none.
 *
 * @example percentile([1, 2, 3, 4], 50) === 2
 */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Count, p50, p99 and max of latencies in milliseconds (any order). */
export function latencySummary(values: number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s.length ? s[s.length - 1]! : 0 };
}
