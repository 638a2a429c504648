import { overloadChecks } from './overload-verdict.js';
import type { BenchResults, LoadRow } from './results.js';
import { medianReadyMs } from './startup.js';
import { monitoringChecks } from './monitoring-verdict.js';
import { predictionLogChecks } from './prediction-log-verdict.js';
import { securityChecks } from './security-verdict.js';
import { explainChecks } from './explain-verdict.js';
import { telemetryChecks } from './telemetry-verdict.js';

/** Throughput targets from the issue: Ponte's req/s over the naive Node server's and over Flask's. */
export const LOAD_TARGETS: Record<string, { naive: number; flask: number }> = {
  purchase: { naive: 1.3, flask: 6 },
  wide_mlp: { naive: 2.5, flask: 12 },
};
/** One connection: Ponte's p50 may exceed the naive server's by at most this, ms. */
export const ONE_CONN_SLACK_MS = 0.1;
export const READY_TARGET_MS = 2000;
export const IDLE_RSS_TARGET_MB = 300;
/** Soak: RSS at the end within this fraction of RSS after one minute. */
export const SOAK_TOLERANCE = 0.1;
/** The Ponte row the targets are judged on: the default set-up (OIP, batching on). */
export const TARGET_ROW = 'ponte-oip-on';

/** One target's verdict; `pass` is undefined when it was not measured in this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  pass: boolean | undefined;
}

/** A load row by model and key, when it was measured. */
export function okRow(rows: LoadRow[], model: string, key: string): LoadRow | undefined {
  const r = rows.find((x) => x.model === model && x.key === key);
  return r?.status === 'ok' ? r : undefined;
}

/** req/s of `row` over req/s of `ref` (same run), when both were measured. */
export function ratio(row: LoadRow | undefined, ref: LoadRow | undefined): number | undefined {
  return row?.stats && ref?.stats && ref.stats.rps > 0 ? row.stats.rps / ref.stats.rps : undefined;
}

const x = (v: number | undefined): string => (v === undefined ? 'n/a' : `${v.toFixed(2)}×`);

/**
 * The three throughput targets of one Ponte row against the naive server and
 * Flask of the same model and run.
 */
export function loadTargetChecks(rows: LoadRow[], row: LoadRow): TargetCheck[] {
  const t = LOAD_TARGETS[row.model];
  if (!t) return [];
  const naive = okRow(rows, row.model, 'naive');
  const flask = okRow(rows, row.model, 'flask');
  const rowOk = row.status === 'ok' ? row : undefined;
  const rn = ratio(rowOk, naive);
  const rf = ratio(rowOk, flask);
  const p99 = rowOk?.stats?.p99Ms;
  const np99 = naive?.stats?.p99Ms;
  return [
    { target: `${row.model}: ${row.label} ≥ ${t.naive}× naive Hono req/s`, measured: x(rn), pass: rn === undefined ? undefined : rn >= t.naive },
    { target: `${row.model}: ${row.label} ≥ ${t.flask}× Flask req/s`, measured: x(rf), pass: rf === undefined ? undefined : rf >= t.flask },
    {
      target: `${row.model}: ${row.label} p99 ≤ naive Hono p99`,
      measured: p99 === undefined || np99 === undefined ? 'n/a' : `${p99.toFixed(2)} ms vs ${np99.toFixed(2)} ms`,
      pass: p99 === undefined || np99 === undefined ? undefined : p99 <= np99,
    },
  ];
}

/** Every target of the issue, judged on this run's figures. */
export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const model of Object.keys(LOAD_TARGETS)) {
    const row = r.load.find((x) => x.model === model && x.key === TARGET_ROW);
    if (row) out.push(...loadTargetChecks(r.load, row));
  }
  for (const model of Object.keys(LOAD_TARGETS)) {
    const p = okRow(r.oneConnection, model, TARGET_ROW)?.stats?.p50Ms;
    const n = okRow(r.oneConnection, model, 'naive')?.stats?.p50Ms;
    if (!r.oneConnection.some((x) => x.model === model)) continue;
    out.push({
      target: `${model}, 1 connection: Ponte p50 ≤ naive p50 + ${ONE_CONN_SLACK_MS} ms`,
      measured: p === undefined || n === undefined ? 'n/a' : `${p.toFixed(3)} ms vs ${n.toFixed(3)} ms`,
      pass: p === undefined || n === undefined ? undefined : p <= n + ONE_CONN_SLACK_MS,
    });
  }
  if (r.startup) {
    const ms = medianReadyMs(r.startup);
    out.push({ target: `start to ready (4 models) ≤ ${READY_TARGET_MS / 1000} s`, measured: ms === undefined ? 'n/a' : `${Math.round(ms)} ms`, pass: ms === undefined ? undefined : ms <= READY_TARGET_MS });
    const rss = r.startup.idleRssMb;
    out.push({ target: `idle RSS (4 models) ≤ ${IDLE_RSS_TARGET_MB} MB`, measured: rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB`, pass: rss === undefined ? undefined : rss <= IDLE_RSS_TARGET_MB });
  }
  if (r.telemetry) out.push(...telemetryChecks(r.telemetry));
  if (r.predictionLog) out.push(...predictionLogChecks(r.predictionLog));
  if (r.security) out.push(...securityChecks(r.security));
  if (r.monitoring) out.push(...monitoringChecks(r.monitoring));
  if (r.explain) out.push(...explainChecks(r.explain));
  if (r.overload) out.push(...overloadChecks(r.overload));
  const s = r.soak;
  out.push({
    target: `soak: RSS at end within ${SOAK_TOLERANCE * 100}% of RSS after 1 min (one-minute means: last minute vs second minute)`,
    measured: s?.memory !== undefined ? `${s.memory.warmMb.toFixed(0)} → ${s.memory.lastMinuteMb.toFixed(0)} MB (${s.memory.ratio.toFixed(3)}×, ${s.minutes} min)` : s ? `failed: ${s.note ?? '?'}` : 'not run this time (`--soak`; the Soak section keeps the last one)',
    pass: s?.memory !== undefined ? Math.abs(s.memory.ratio - 1) <= SOAK_TOLERANCE : s ? false : undefined,
  });
  return out;
}
