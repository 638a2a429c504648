import { EXPLAIN } from './explain.js';
import type { ExplainResult } from './results.js';
import { summarizeSetups, type SetupSummary } from './setup-summary.js';
import type { TargetCheck } from './targets.js';

/** Medians, spread and ratio vs explain off of the throughput rows. */
export function summarizeExplainThroughput(x: ExplainResult): SetupSummary[] {
  return summarizeSetups(x.throughput.variants);
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * The issue's explanation targets: p50 latency under the model's target
 * (purchase 50 ms, house 5 ms; digits is a figure), and background
 * explanations at the default sample rate costing at most 5 % of prediction
 * throughput (median req/s, same run). A skipped row is not measured; a
 * failed one misses.
 */
export function explainChecks(x: ExplainResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const row of x.latency) {
    if (row.p50TargetMs === undefined) continue;
    const target = `explain latency, ${row.model} (${row.label}): p50 < ${row.p50TargetMs} ms`;
    if (row.status === 'skipped') out.push({ target, measured: `not measured: ${row.note ?? 'skipped'}`, pass: undefined });
    else if (row.status === 'failed' || !row.latency) out.push({ target, measured: `failed: ${row.note ?? '?'}`, pass: false });
    else out.push({ target, measured: `${row.latency.p50Ms.toFixed(2)} ms (p99 ${row.latency.p99Ms.toFixed(2)} ms, ${row.method ?? '?'})`, pass: row.latency.p50Ms < row.p50TargetMs });
  }
  const t = x.throughput;
  const v = t.variants.find((y) => y.key === 'explain');
  if (!v) return out;
  const sum = summarizeExplainThroughput(x).find((y) => y.key === 'explain')!;
  const off = t.variants.find((y) => y.key === 'off');
  const target = `explain (${t.model}, ${t.connections} conn.): background explanations at sampleRate ${t.sampleRate} cost ≤ ${EXPLAIN.maxThroughputCost * 100}% of req/s (SQLite log on in both; median of ${sum.runs})`;
  if (v.status === 'skipped') out.push({ target, measured: `not measured: ${v.note ?? 'skipped'}`, pass: undefined });
  else if (v.status === 'failed') out.push({ target, measured: `failed: ${v.note ?? '?'}`, pass: false });
  else if (off?.status !== 'ok' || sum.ratio === undefined) out.push({ target, measured: `n/a (explain off ${off?.status ?? 'missing'})`, pass: undefined });
  else out.push({ target, measured: `cost ${pct(1 - sum.ratio)} (${pct(sum.ratio)} of explain off)${sum.non2xx > 0 ? `, but ${sum.non2xx} non-2xx answers` : ''}`, pass: 1 - sum.ratio <= EXPLAIN.maxThroughputCost && sum.non2xx === 0 });
  return out;
}
