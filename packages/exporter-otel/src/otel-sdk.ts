import { metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { PONTE_VERSION, type Logger } from '@ponte/core';
import { ExportFailureReporter } from './export-failure-reporter.js';
import type { OtelExporterOptions } from './options.js';
import { ReportingMetricExporter, ReportingSpanExporter } from './reporting-exporters.js';
import { startRuntimeMetrics } from './runtime-metrics.js';
import { WorkerSpanExporter } from './worker-span-exporter.js';

/** The instrumentation scope name of everything this package records. */
export const SCOPE = '@ponte/exporter-otel';

/**
 * The OpenTelemetry SDK pieces of one server: a tracer provider with a batch
 * span processor and a meter provider with a periodic reader, both exporting
 * over OTLP/HTTP. This is the only place in Ponte that touches the SDK.
 *
 * @example
 * ```ts
 * const sdk = new OtelSdk(options, logger);
 * sdk.tracer?.startSpan('x').end();
 * await sdk.shutdown();
 * ```
 */
export class OtelSdk {
  readonly tracer: Tracer | undefined;
  readonly meter: Meter | undefined;
  private readonly tracerProvider: BasicTracerProvider | undefined;
  private readonly meterProvider: MeterProvider | undefined;
  private readonly stopRuntime: (() => void) | undefined;
  private readonly globals = { trace: false, metrics: false, propagation: false };
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly options: OtelExporterOptions,
    private readonly logger: Logger,
    /** Metrics aggregated outside the SDK (Ponte's per-request series), exported with the SDK's own. */
    metricProducer?: (resource: Resource, scope: { name: string; version: string }) => MetricProducer,
  ) {
    const o = options;
    const reporter = new ExportFailureReporter(logger, o.errorLogIntervalMillis);
    const resource = defaultResource().merge(resourceFromAttributes({ 'service.version': PONTE_VERSION, ...o.resourceAttributes, 'service.name': o.serviceName }));
    const base = o.endpoint.replace(/\/+$/, '');
    const json = o.protocol === 'http/json';
    const common = { headers: { ...o.headers }, timeoutMillis: o.exportTimeoutMillis };

    if (o.traces) {
      const url = `${base}/v1/traces`;
      const exporter = new ReportingSpanExporter(new WorkerSpanExporter({ url, protocol: o.protocol, headers: common.headers, timeoutMillis: common.timeoutMillis, resourceAttributes: resource.attributes }), reporter);
      this.tracerProvider = new BasicTracerProvider({
        resource,
        // A caller's sampling decision (traceparent flags) wins; new traces were already sampled at
        // the configured ratio by the tracing observer, so the root sampler records what reaches it.
        sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
        spanProcessors: [new BatchSpanProcessor(exporter, {
          exportTimeoutMillis: o.exportTimeoutMillis,
          scheduledDelayMillis: o.scheduledDelayMillis,
          maxQueueSize: o.maxQueueSize,
          maxExportBatchSize: Math.min(o.maxExportBatchSize, o.maxQueueSize),
        })],
      });
      this.tracer = this.tracerProvider.getTracer(SCOPE, PONTE_VERSION);
    }

    if (o.metrics) {
      const url = `${base}/v1/metrics`;
      const exporter = new ReportingMetricExporter(json ? new JsonMetricExporter({ ...common, url }) : new ProtoMetricExporter({ ...common, url }), reporter);
      this.meterProvider = new MeterProvider({
        resource,
        readers: [new PeriodicExportingMetricReader({
          exporter,
          ...(metricProducer !== undefined ? { metricProducers: [metricProducer(resource, { name: SCOPE, version: PONTE_VERSION })] } : {}),
          exportIntervalMillis: o.metricExportIntervalMillis,
          // The SDK refuses a timeout longer than the interval.
          exportTimeoutMillis: Math.min(o.exportTimeoutMillis, o.metricExportIntervalMillis),
        })],
      });
      this.meter = this.meterProvider.getMeter(SCOPE, PONTE_VERSION);
      this.stopRuntime = startRuntimeMetrics(this.meter);
    }

    if (o.registerGlobal) {
      // Another server in this process may have registered first; then these return false and we leave the globals alone.
      if (this.tracerProvider !== undefined) this.globals.trace = trace.setGlobalTracerProvider(this.tracerProvider);
      if (this.meterProvider !== undefined) this.globals.metrics = metrics.setGlobalMeterProvider(this.meterProvider);
      this.globals.propagation = propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  }

  /**
   * Flushes what is buffered and shuts the providers down, waiting at most
   * `shutdownTimeoutMillis`: a collector that is down must not hold up a
   * server's exit. Never throws; safe to call twice.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopRuntime?.();
    if (this.globals.trace) trace.disable();
    if (this.globals.metrics) metrics.disable();
    if (this.globals.propagation) propagation.disable();
    const work = Promise.allSettled([this.tracerProvider?.shutdown(), this.meterProvider?.shutdown()]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      work.then(() => false),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(true), this.options.shutdownTimeoutMillis); }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.logger.warn({ timeoutMs: this.options.shutdownTimeoutMillis }, 'OpenTelemetry flush did not finish before shutdown; unsent telemetry was dropped');
  }
}
