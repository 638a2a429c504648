import { otelExporter } from './otel-plugin.js';

export { otelExporter } from './otel-plugin.js';
export { OtelSdk, SCOPE } from './otel-sdk.js';
export { TracingObserver, OTEL_CONTEXT_KEY, Attr } from './tracing-observer.js';
export { TraceRateLimiter } from './trace-rate-limiter.js';
export { OtelMetricsObserver, DURATION_BOUNDARIES_S, BATCH_BOUNDARIES, type OtelCoreServices } from './otel-metrics-observer.js';
export { ExportFailureReporter } from './export-failure-reporter.js';
export { ReportingSpanExporter, ReportingMetricExporter } from './reporting-exporters.js';
export { WorkerSpanExporter, type ExportWorkerConfig } from './worker-span-exporter.js';
export { startRuntimeMetrics } from './runtime-metrics.js';
export { otelOptionsSchema, ALL_STAGES, DEFAULT_STAGES, type OtelExporterOptions } from './options.js';

export default otelExporter;
