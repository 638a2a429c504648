import type { Attributes, Counter, Meter } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { BucketHistogram, type Lifecycle, type ModelRegistry, type PipelineObserver, type PipelineStage, type RequestContext, type RequestOutcome } from '@ponte/core';
import { counterData, histogramData, SeriesMap, type Count } from './request-metrics.js';
import { Attr } from './tracing-observer.js';

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const bounded = (v: string): string => (NAME.test(v) ? v : 'other');
const ERROR_CODE = /^PONTE_[A-Z_]{1,48}$/;

/** Bucket boundaries (seconds) for request, queue and compute durations: 50 µs to 10 s. */
export const DURATION_BOUNDARIES_S: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bucket boundaries (rows) for batch sizes. */
export const BATCH_BOUNDARIES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** The core services the observable instruments read; the plugin resolves each on first use. */
export interface OtelCoreServices {
  readonly registry: ModelRegistry;
  readonly lifecycle: Lifecycle;
}

/** The per-request instruments, aggregated here rather than by the SDK. */
interface RequestInstruments {
  requests: SeriesMap<Count>;
  errors: SeriesMap<Count>;
  requestDuration: SeriesMap<BucketHistogram>;
  queueDuration: SeriesMap<BucketHistogram>;
  computeDuration: SeriesMap<BucketHistogram>;
  batchSize: SeriesMap<BucketHistogram>;
}

/**
 * Ponte's service metrics as OpenTelemetry metrics (the same set the
 * Prometheus exporter serves, with OpenTelemetry names: `ponte.requests`,
 * `ponte.request.duration` …). Each request is counted once, in
 * `onRequestEnd`; model attributes are only names of configured models.
 *
 * The per-request instruments are aggregated here, in plain cumulative
 * series keyed by a string, and handed to the SDK's metric reader at export
 * time as a `MetricProducer`: the SDK's own instruments hash the attribute
 * object and read the clock on every `record`, which cost ~15 % of a small
 * model's throughput at four records a request. Gauges read at export time
 * and the rare load-failure counter stay SDK instruments.
 *
 * @example
 * ```ts
 * const observer = new OtelMetricsObserver(core);
 * const reader = new PeriodicExportingMetricReader({ exporter, metricProducers: [observer.producer(resource, { name: SCOPE })] });
 * observer.bind(meterProvider.getMeter('@ponte/exporter-otel'));
 * ```
 */
export class OtelMetricsObserver implements PipelineObserver {
  readonly name = '@ponte/exporter-otel:metrics';
  /** Only these stages carry metrics; core skips the others for this observer. */
  readonly stages: readonly PipelineStage[] = ['queue', 'run'];
  private recording = false;
  private loadFailures: Counter | undefined;
  private readonly batched = new Map<string, boolean>();
  private readonly series: RequestInstruments = {
    requests: new SeriesMap({ name: 'ponte.requests', description: 'Data-plane requests answered.', unit: '{request}' }, () => ({ n: 0 })),
    errors: new SeriesMap({ name: 'ponte.errors', description: 'Failed data-plane requests, by Ponte error code (error.type).', unit: '{request}' }, () => ({ n: 0 })),
    requestDuration: new SeriesMap({ name: 'ponte.request.duration', description: 'Time from request arrival to response.', unit: 's' }, () => new BucketHistogram(DURATION_BOUNDARIES_S)),
    queueDuration: new SeriesMap({ name: 'ponte.queue.duration', description: 'Time a request waited in the model queue.', unit: 's' }, () => new BucketHistogram(DURATION_BOUNDARIES_S)),
    computeDuration: new SeriesMap({ name: 'ponte.compute.duration', description: 'Model run time of the batch a request was part of.', unit: 's' }, () => new BucketHistogram(DURATION_BOUNDARIES_S)),
    batchSize: new SeriesMap({ name: 'ponte.batch.size', description: 'Rows per model execution.', unit: '{row}' }, () => new BucketHistogram(BATCH_BOUNDARIES)),
  };

  constructor(private readonly core: OtelCoreServices) {}

  /** Creates the export-time instruments on `meter` and starts recording (at start); `undefined` stops recording (at stop). */
  bind(meter: Meter | undefined): void {
    if (meter === undefined) {
      this.recording = false;
      this.loadFailures = undefined;
      return;
    }
    this.loadFailures = meter.createCounter('ponte.model.load_failures', { description: 'Model versions that failed to load.', unit: '{version}' });
    const core = this.core;
    meter.createObservableUpDownCounter('ponte.requests.in_flight', { description: 'Data-plane requests being processed now.', unit: '{request}' })
      .addCallback((r) => { r.observe(core.lifecycle.inFlight); });
    meter.createObservableGauge('ponte.queue.depth', { description: 'Requests waiting in the batch queue of each ready model version.', unit: '{request}' })
      .addCallback((r) => {
        for (const m of core.registry.readyVersions()) r.observe(m.runner.queueDepth, { [Attr.model]: m.name, [Attr.version]: m.version });
      });
    meter.createObservableGauge('ponte.model.ready', { description: 'Whether every selected version of the model is ready (1) or not (0).' })
      .addCallback((r) => { for (const m of core.registry.readiness().models) r.observe(m.ready ? 1 : 0, { [Attr.model]: m.name }); });
    meter.createObservableGauge('ponte.model.load.duration', { description: 'How long each model version took to load and warm up.', unit: 's' })
      .addCallback((r) => {
        for (const m of core.registry.readiness().models) {
          for (const v of m.versions) if (v.loadDurationMs !== undefined) r.observe(v.loadDurationMs / 1000, { [Attr.model]: m.name, [Attr.version]: v.version });
        }
      });
    this.recording = true;
  }

  /** The per-request metrics for a metric reader (`metricProducers`), under the given scope; the reader keeps its own resource. */
  producer(resource: Resource, scope: { name: string; version?: string }): MetricProducer {
    return {
      collect: (): Promise<CollectionResult> => {
        const now = hrTime();
        const s = this.series;
        const metrics = [
          counterData(s.requests, now), counterData(s.errors, now),
          histogramData(s.requestDuration, now), histogramData(s.queueDuration, now), histogramData(s.computeDuration, now), histogramData(s.batchSize, now),
        ].filter((m): m is MetricData => m !== undefined);
        return Promise.resolve({ resourceMetrics: { resource, scopeMetrics: metrics.length === 0 ? [] : [{ scope, metrics }] }, errors: [] });
      },
    };
  }

  /** The model and version part of a series key; undefined when the request named no configured model. */
  private modelKey(ctx: RequestContext): string | undefined {
    const m = ctx.model;
    if (m === undefined || !this.core.registry.has(m)) return undefined;
    return `${m}\u0000${ctx.version ?? ''}`;
  }

  private isBatched(model: string, version: string): boolean {
    const key = `${model}\u0000${version}`;
    let b = this.batched.get(key);
    if (b === undefined) {
      try {
        b = this.core.registry.resolve(model, version).batching.enabled;
      } catch {
        b = false;
      }
      this.batched.set(key, b);
    }
    return b;
  }

  onStage(ctx: RequestContext, stage: PipelineStage, _startedAt: number, durationMs: number): void {
    if (!this.recording || (stage !== 'queue' && stage !== 'run')) return;
    const key = this.modelKey(ctx);
    if (key === undefined) return;
    const attrs = (): Attributes => modelAttributes(ctx.model!, ctx.version ?? '');
    const s = this.series;
    if (stage === 'queue') s.queueDuration.get(key, attrs).observe(durationMs / 1000);
    else {
      s.computeDuration.get(key, attrs).observe(durationMs / 1000);
      if (ctx.batchSize !== undefined && !this.isBatched(ctx.model!, ctx.version ?? '')) s.batchSize.get(key, attrs).observe(ctx.batchSize);
    }
  }

  onBatch(model: string, version: string, batchSize: number): void {
    if (!this.recording || !this.core.registry.has(model)) return;
    this.series.batchSize.get(`${model}\u0000${version}`, () => modelAttributes(model, version)).observe(batchSize);
  }

  onRequestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    if (!this.recording) return;
    const model = this.modelKey(ctx);
    const protocol = bounded(ctx.protocol);
    const endpoint = bounded(ctx.endpoint);
    const route = `${protocol}\u0000${endpoint}\u0000${model ?? ''}`;
    const attrs = (): Attributes => ({ [Attr.protocol]: protocol, [Attr.endpoint]: endpoint, ...(model !== undefined ? modelAttributes(ctx.model!, ctx.version ?? '') : {}) });
    const s = this.series;
    s.requestDuration.get(route, attrs).observe(outcome.durationMs / 1000);
    s.requests.get(`${route}\u0000${outcome.status}`, () => ({ ...attrs(), [Attr.status]: outcome.status })).n++;
    if (outcome.code !== undefined) {
      const code = ERROR_CODE.test(outcome.code) ? outcome.code : 'PONTE_INTERNAL';
      s.errors.get(`${route}\u0000${code}`, () => ({ ...attrs(), [Attr.errorType]: code })).n++;
    }
  }

  onModelState(model: string, version: string, state: string): void {
    this.batched.delete(`${model}\u0000${version}`);
    if (state === 'failed') this.loadFailures?.add(1, { [Attr.model]: model, [Attr.version]: version });
  }
}

function modelAttributes(model: string, version: string): Attributes {
  return { [Attr.model]: model, [Attr.version]: version };
}
