import type { BenchResults } from './results.js';
import { COST_ROUNDS } from './telemetry.js';
import { isReference, summarizeTelemetry, TELEMETRY_MIN_RATIO } from './telemetry-verdict.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The telemetry-cost table: median req/s of off, metrics, metrics + tracing, and their ratio vs off. */
export function telemetrySection(r: BenchResults): string[] {
  const t = r.telemetry;
  if (!t) return ['Not measured in this run.'];
  const out = [
    `Ponte OIP (batching on) on ${t.model}, ${t.connections} connections (wrk), one fresh server per run with its golden check and warm-up, ${COST_ROUNDS} rounds of 6 s in a full run; the set-ups run one after another in each round, the first of each round rotating so that each runs first equally often (round-order.ts) and each row shows the median over its runs. All set-ups log one access line per request and validate with JSON Schema. ` +
      'Off: `@ponte/onnx` + `@ponte/validator-jsonschema` only. Metrics: `@ponte/exporter-prometheus` added (nothing scrapes it during the run). ' +
      'Metrics + tracing: `@ponte/exporter-otel` added too with its tracing defaults (`samplingRatio: 0.01` and `maxTracesPerSecond: 20`: 1 % of new traces recorded, at most 20 a second, each with a server span and a child span per stage — decode, validate, queue, run, encode; batch export every 5 s or per 512 spans, serialized and sent from a worker thread) and `metrics: false` (Prometheus already has them), exporting OTLP/HTTP protobuf to a sink in the bench process (CPU 1) that answers 200. ' +
      'Reference (not a target): the same with OpenTelemetry metrics on too (every request recorded twice: by prom-client and by the OTel plugin, which exports through the SDK). ' +
      `Target: each telemetry-on row ≥ ${TELEMETRY_MIN_RATIO * 100}% of off. Run-to-run noise on a shared machine is about ±10%; the spread column shows this run's.`,
    '',
    '| set-up | runs | median req/s | median p99 ms | vs off | spread (max−min)/median | each run req/s | OTLP trace exports per run |',
    '|---|---:|---:|---:|---:|---:|---|---|',
  ];
  const sums = summarizeTelemetry(t);
  const notes: string[] = [];
  for (const [i, v] of t.variants.entries()) {
    const s = sums[i]!;
    const mark = v.note ? ` [${notes.push(`${v.label}: ${v.note}`)}]` : '';
    const status = v.status === 'ok' ? '' : ` — **${v.status}**`;
    const ratio = s.ratio === undefined ? '–' : `${(s.ratio * 100).toFixed(1)}%${v.key === 'off' || isReference(v.key) ? '' : s.ratio >= TELEMETRY_MIN_RATIO ? ' ✅' : ' ❌'}`;
    out.push(`| ${cell(v.label)}${status}${mark} | ${s.runs} | ${s.medianRps !== undefined ? int(s.medianRps) : '–'} | ${s.medianP99Ms?.toFixed(2) ?? '–'} | ${ratio} | ${s.spread !== undefined ? `${(s.spread * 100).toFixed(1)}%` : '–'} | ${v.runs.map((x) => int(x.rps)).join(', ') || '–'} | ${v.traceExports?.join(', ') ?? ''} |`);
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  return out;
}
