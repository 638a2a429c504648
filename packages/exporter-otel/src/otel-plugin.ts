import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { definePlugin, Tokens, type Lifecycle, type ModelRegistry, type PipelineObserver, type PluginContext } from '@ponte/core';
import { otelOptionsSchema, type OtelExporterOptions } from './options.js';
import { OtelMetricsObserver, type OtelMetricSources } from './otel-metrics-observer.js';
import { OtelSdk } from './otel-sdk.js';
import { TracingObserver } from './tracing-observer.js';

interface State {
  tracing: TracingObserver;
  metrics: OtelMetricsObserver;
  sources: OtelMetricSources;
  sdk?: OtelSdk;
}

// One plugin object serves every server in the process; each server's state hangs off its own context.
const states = new WeakMap<PluginContext<OtelExporterOptions>, State>();

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
  description: 'OpenTelemetry traces and metrics over OTLP/HTTP',
  configSchema: otelOptionsSchema,
  register(ctx) {
    const sources: OtelMetricSources = {};
    const state: State = { tracing: new TracingObserver(new W3CTraceContextPropagator(), ctx.options.stages, ctx.options.samplingRatio, ctx.options.maxTracesPerSecond ?? undefined), metrics: new OtelMetricsObserver(sources), sources };
    states.set(ctx, state);
    // Core collects observers right after every plugin registered; the SDK itself waits for start().
    if (ctx.options.traces) ctx.provide<PipelineObserver>(Tokens.PipelineObserver, state.tracing);
    if (ctx.options.metrics) ctx.provide<PipelineObserver>(Tokens.PipelineObserver, state.metrics);
  },
  start(ctx) {
    const state = states.get(ctx)!;
    state.sources.registry = ctx.root.resolve<ModelRegistry>(Tokens.ModelRegistry);
    state.sources.lifecycle = ctx.root.resolve<Lifecycle>(Tokens.Lifecycle);
    const sdk = new OtelSdk(ctx.options, ctx.logger, (resource, scope) => state.metrics.producer(resource, scope));
    state.sdk = sdk;
    state.tracing.tracer = sdk.tracer;
    state.metrics.bind(sdk.meter);
    ctx.logger.info({ endpoint: ctx.options.endpoint, protocol: ctx.options.protocol, traces: ctx.options.traces, metrics: ctx.options.metrics, samplingRatio: ctx.options.samplingRatio, maxTracesPerSecond: ctx.options.maxTracesPerSecond }, 'exporting OpenTelemetry over OTLP/HTTP');
  },
  async stop(ctx) {
    const state = states.get(ctx);
    const sdk = state?.sdk;
    if (state === undefined || sdk === undefined) return;
    delete state.sdk;
    state.tracing.tracer = undefined;
    state.metrics.bind(undefined);
    await sdk.shutdown();
  },
});
