import { measureLoad, type LoadPlan } from './load.js';
import { roundOrder } from './round-order.js';
import { startOtlpSink } from './otlp-sink.js';
import { ponte } from './ponte-server.js';
import type { TelemetryResult, TelemetryVariant } from './results.js';

/** The telemetry section's model and concurrency (saturation, as the load tables). */
export const TELEMETRY = { model: 'purchase', connections: 32 } as const;

/**
 * Rounds of the cost sections in a full run. Seven, not five: a set-up's
 * figure is the median of its ratio to the baseline within each round, and
 * on the bench VM single rounds range from 72 % to 107 % for one set-up in
 * one run; the median of seven moves less than that of five.
 */
export const COST_ROUNDS = 7;

/**
 * Rounds and run length of the telemetry section for a plan. The figures
 * compared differ by a few percent on a machine whose speed drifts by ±10 %:
 * more, shorter interleaved rounds beat fewer long ones, so a plan of 3+ runs
 * gets COST_ROUNDS rounds of at most 6 s.
 */
export function telemetryRounds(plan: Pick<LoadPlan, 'runs' | 'durationS'>): { runs: number; durationS: number } {
  return plan.runs >= 3 ? { runs: Math.max(plan.runs, COST_ROUNDS), durationS: Math.min(plan.durationS, 6) } : { runs: plan.runs, durationS: plan.durationS };
}

/** Which telemetry plugins load here (packages written in parallel may not be built). */
export interface TelemetryPlugins {
  prometheus: boolean;
  otel: boolean;
}

/**
 * Telemetry cost: Ponte (OIP, batching on) on purchase at 32 connections,
 * three set-ups — telemetry off ('@ponte/onnx' and '@ponte/validator-jsonschema'
 * only), metrics on ('@ponte/exporter-prometheus' added), metrics + tracing on
 * ('@ponte/exporter-otel' added too, exporting to an OTLP sink in the bench
 * process, with its default sampling of new traces (1 %) and its own metrics
 * off: Prometheus already has them, and recording every request twice is a
 * cost no deployment needs). A fourth row keeps OTel metrics on, for reference. The set-ups are measured
 * interleaved (off, metrics, tracing, reference, off, …), telemetryRounds() rounds, each run a
 * fresh server with its golden check and warm-up, so slow drift on a shared
 * machine hits all three alike. The report shows medians.
 */
export async function runTelemetry(plan: LoadPlan, plugins: TelemetryPlugins): Promise<TelemetryResult> {
  const { model, connections } = TELEMETRY;
  const sink = await startOtlpSink();
  try {
    const setups = [
      { key: 'off', label: 'telemetry off', variant: { model, batching: true, prometheus: false }, skip: undefined },
      { key: 'metrics', label: 'metrics on (Prometheus)', variant: { model, batching: true, prometheus: true }, skip: plugins.prometheus ? undefined : '@ponte/exporter-prometheus is not built or does not load' },
      {
        key: 'metrics-tracing', label: 'metrics + tracing on (Prometheus + OTel traces)', variant: { model, batching: true, prometheus: true, otelEndpoint: sink.url, otelMetrics: false },
        skip: !plugins.prometheus ? '@ponte/exporter-prometheus is not built or does not load' : !plugins.otel ? '@ponte/exporter-otel is not built or does not load' : undefined,
      },
      {
        key: 'metrics-tracing-otel-metrics', label: 'reference: Prometheus + OTel traces and OTel metrics', variant: { model, batching: true, prometheus: true, otelEndpoint: sink.url },
        skip: !plugins.prometheus ? '@ponte/exporter-prometheus is not built or does not load' : !plugins.otel ? '@ponte/exporter-otel is not built or does not load' : undefined,
      },
    ];
    // The load tables' executor notes are about their own rows: leave these out.
    const { onPonteFacts: _facts, ...quiet } = plan;
    const variants: TelemetryVariant[] = setups.map((s) => ({ key: s.key, label: s.label, status: s.skip ? 'skipped' : 'ok', ...(s.skip ? { note: s.skip } : {}), runs: [] }));
    const rounds = telemetryRounds(plan);
    for (let i = 0; i < rounds.runs; i++) {
      for (const [k, s] of roundOrder(setups, i)) {
        const v = variants[k]!;
        if (v.status !== 'ok') continue;
        const tracesBefore = sink.received['/v1/traces'] ?? 0;
        const c = { ...ponte(s.variant, 'oip'), key: `telemetry-${s.key}`, label: `Ponte OIP, ${s.label}` };
        const row = await measureLoad(c, { ...quiet, connections, runs: 1, durationS: rounds.durationS });
        if (row.status !== 'ok' || !row.stats) {
          v.status = 'failed';
          v.note = `run ${i + 1}: ${row.note ?? row.status}`;
          continue;
        }
        v.runs.push(row.stats);
        if (row.stats.errors > 0) v.note = `${row.stats.errors} socket errors or non-2xx answers in run ${i + 1}`;
        if (s.variant.otelEndpoint !== undefined) (v.traceExports ??= []).push((sink.received['/v1/traces'] ?? 0) - tracesBefore);
      }
    }
    const tracing = variants.find((v) => v.key === 'metrics-tracing');
    if (tracing?.status === 'ok' && (tracing.traceExports ?? []).every((n) => n === 0)) tracing.note = 'the OTLP sink received no trace export: tracing did not run';
    return { model, connections, variants };
  } finally {
    await sink.close();
  }
}
