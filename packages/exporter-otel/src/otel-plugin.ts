import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { definePlugin, Tokens } from '@ponte/core';
import { otelOptionsSchema, type OtelExporterOptions } from './options.js';
import { OtelMetricsObserver, type OtelCoreServices } from './otel-metrics-observer.js';
import { OtelSdk } from './otel-sdk.js';
import { TracingObserver } from './tracing-observer.js';

/**
 * OpenTelemetry exporter: a server span per request (child of the caller's
 * W3C `traceparent`) with a child span per pipeline stage, Ponte's service
 * metrics and runtime metrics, all exported over OTLP/HTTP to a collector.
 * Exports are batched and asynchronous: a slow or absent collector drops
 * telemetry (logged at most once per interval), never slows or fails a request.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/exporter-otel'
 *     options: { endpoint: 'http://otel-collector:4318', samplingRatio: 0.1 }
 * ```
 */
export const otelExporter = definePlugin<OtelExporterOptions>({
  name: '@ponte/exporter-otel',
  kind: 'exporter',
  core: '^0.1.0',
  description: 'OpenTelemetry traces and metrics over OTLP/HTTP',
  configSchema: otelOptionsSchema,
  register(ctx) {
    const registry = ctx.later(Tokens.ModelRegistry);
    const lifecycle = ctx.later(Tokens.Lifecycle);
    const core: OtelCoreServices = {
      get registry() { return registry(); },
      get lifecycle() { return lifecycle(); },
    };
    const tracing = new TracingObserver(new W3CTraceContextPropagator(), ctx.options.stages, ctx.options.samplingRatio, ctx.options.maxTracesPerSecond ?? undefined);
    const metrics = new OtelMetricsObserver(core);
    // Observers are part of the pipeline the server builds once every plugin registered; the SDK itself waits for start().
    if (ctx.options.traces) ctx.provide(Tokens.PipelineObserver, tracing);
    if (ctx.options.metrics) ctx.provide(Tokens.PipelineObserver, metrics);
    let sdk: OtelSdk | undefined;
    return {
      start() {
        sdk = new OtelSdk(ctx.options, ctx.logger, (resource, scope) => metrics.producer(resource, scope));
        tracing.tracer = sdk.tracer;
        metrics.bind(sdk.meter);
        ctx.logger.info({ endpoint: ctx.options.endpoint, protocol: ctx.options.protocol, traces: ctx.options.traces, metrics: ctx.options.metrics, samplingRatio: ctx.options.samplingRatio, maxTracesPerSecond: ctx.options.maxTracesPerSecond }, 'exporting OpenTelemetry over OTLP/HTTP');
      },
      async stop() {
        const s = sdk;
        if (s === undefined) return;
        sdk = undefined;
        tracing.tracer = undefined;
        metrics.bind(undefined);
        await s.shutdown();
      },
    };
  },
});
