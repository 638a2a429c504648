import type { SecurityResult } from './results.js';
import { summarizeSetups, type SetupSummary } from './setup-summary.js';
import type { TargetCheck } from './targets.js';

/** Throughput with API-key auth must be at least this fraction of auth off (the issue's target). */
export const APIKEY_MIN_RATIO = 0.95;

/** The set-up the target is judged on; the JWT and rate-limit rows are figures only. */
export const SECURITY_TARGET_ROW = 'apikey';

/** Medians, spread and ratio vs auth off of each security row. */
export function summarizeSecurity(s: SecurityResult): SetupSummary[] {
  return summarizeSetups(s.variants);
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * The issue's security target: median req/s with an API key ≥ 95% of auth
 * off, same run. A skipped set-up is not measured; a failed one misses; so
 * does one with non-2xx answers during its runs (refused requests are cheap:
 * a server answering 401s would pass by not serving).
 */
export function securityChecks(s: SecurityResult): TargetCheck[] {
  const v = s.variants.find((x) => x.key === SECURITY_TARGET_ROW);
  if (!v) return [];
  const sum = summarizeSecurity(s).find((x) => x.key === SECURITY_TARGET_ROW)!;
  const off = s.variants.find((x) => x.key === 'off');
  const target = `security (${s.model}, ${s.connections} conn.): ${v.label} req/s ≥ ${APIKEY_MIN_RATIO * 100}% of auth off (median of ${sum.runs})`;
  if (v.status === 'skipped') return [{ target, measured: `not measured: ${v.note ?? 'skipped'}`, pass: undefined }];
  if (v.status === 'failed') return [{ target, measured: `failed: ${v.note ?? '?'}`, pass: false }];
  if (off?.status !== 'ok' || sum.ratio === undefined) return [{ target, measured: `n/a (auth off ${off?.status ?? 'missing'})`, pass: undefined }];
  return [{
    target,
    measured: `${pct(sum.ratio)}${sum.non2xx > 0 ? `, but ${sum.non2xx} non-2xx answers` : ''}`,
    pass: sum.ratio >= APIKEY_MIN_RATIO && sum.non2xx === 0,
  }];
}
