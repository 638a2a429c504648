import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { Lifecycle, ModelRegistry, PipelineObserver, PipelineStage, RequestContext, RequestOutcome } from '@ponte/core';
import { Attr } from './tracing-observer.js';

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const bounded = (v: string): string => (NAME.test(v) ? v : 'other');

/** Bucket boundaries (seconds) for request, queue and compute durations: 50 µs to 10 s. */
export const DURATION_BOUNDARIES_S: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bucket boundaries (rows) for batch sizes. */
export const BATCH_BOUNDARIES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What the scrape-time (observable) instruments read; filled in at start. */
export interface OtelMetricSources {
  registry?: ModelRegistry;
  lifecycle?: Lifecycle;
}

interface Instruments {
  requests: Counter;
  errors: Counter;
  requestDuration: Histogram;
  queueDuration: Histogram;
  computeDuration: Histogram;
  batchSize: Histogram;
  loadFailures: Counter;
}

/**
 * Ponte's service metrics as OpenTelemetry instruments (the same set the
 * Prometheus exporter serves, with OpenTelemetry names: `ponte.requests`,
 * `ponte.request.duration` …). Each request is counted once, in
 * `onRequestEnd`; model attributes are only names of configured models.
 *
 * @example
 * ```ts
 * const observer = new OtelMetricsObserver(sources);
 * observer.bind(meterProvider.getMeter('@ponte/exporter-otel'));
 * ```
 */
export class OtelMetricsObserver implements PipelineObserver {
  readonly name = '@ponte/exporter-otel:metrics';
  /** Only these stages carry metrics; core skips the others for this observer. */
  readonly stages: readonly PipelineStage[] = ['queue', 'run'];
  private instruments: Instruments | undefined;
  private readonly batched = new Map<string, boolean>();

  constructor(private readonly sources: OtelMetricSources) {}

  /** Creates the instruments on `meter` (at start); `undefined` stops recording (at stop). */
  bind(meter: Meter | undefined): void {
    if (meter === undefined) {
      this.instruments = undefined;
      return;
    }
    const seconds = (boundaries: readonly number[]) => ({ unit: 's', advice: { explicitBucketBoundaries: [...boundaries] } });
    this.instruments = {
      requests: meter.createCounter('ponte.requests', { description: 'Data-plane requests answered.', unit: '{request}' }),
      errors: meter.createCounter('ponte.errors', { description: 'Failed data-plane requests, by Ponte error code (error.type).', unit: '{request}' }),
      requestDuration: meter.createHistogram('ponte.request.duration', { description: 'Time from request arrival to response.', ...seconds(DURATION_BOUNDARIES_S) }),
      queueDuration: meter.createHistogram('ponte.queue.duration', { description: 'Time a request waited in the model queue.', ...seconds(DURATION_BOUNDARIES_S) }),
      computeDuration: meter.createHistogram('ponte.compute.duration', { description: 'Model run time of the batch a request was part of.', ...seconds(DURATION_BOUNDARIES_S) }),
      batchSize: meter.createHistogram('ponte.batch.size', { description: 'Rows per model execution.', unit: '{row}', advice: { explicitBucketBoundaries: [...BATCH_BOUNDARIES] } }),
      loadFailures: meter.createCounter('ponte.model.load_failures', { description: 'Model versions that failed to load.', unit: '{version}' }),
    };
    const sources = this.sources;
    meter.createObservableUpDownCounter('ponte.requests.in_flight', { description: 'Data-plane requests being processed now.', unit: '{request}' })
      .addCallback((r) => { if (sources.lifecycle) r.observe(sources.lifecycle.inFlight); });
    meter.createObservableGauge('ponte.queue.depth', { description: 'Requests waiting in the batch queue of each ready model version.', unit: '{request}' })
      .addCallback((r) => {
        for (const m of sources.registry?.readyVersions() ?? []) r.observe(m.runner.queueDepth, { [Attr.model]: m.name, [Attr.version]: m.version });
      });
    meter.createObservableGauge('ponte.model.ready', { description: 'Whether every selected version of the model is ready (1) or not (0).' })
      .addCallback((r) => { for (const m of sources.registry?.readiness().models ?? []) r.observe(m.ready ? 1 : 0, { [Attr.model]: m.name }); });
    meter.createObservableGauge('ponte.model.load.duration', { description: 'How long each model version took to load and warm up.', unit: 's' })
      .addCallback((r) => {
        for (const m of sources.registry?.readiness().models ?? []) {
          for (const v of m.versions) if (v.loadDurationMs !== undefined) r.observe(v.loadDurationMs / 1000, { [Attr.model]: m.name, [Attr.version]: v.version });
        }
      });
  }

  private modelAttrs(ctx: RequestContext): Attributes | undefined {
    const m = ctx.model;
    if (m === undefined || this.sources.registry?.has(m) !== true) return undefined;
    return { [Attr.model]: m, [Attr.version]: ctx.version ?? '' };
  }

  private isBatched(model: string, version: string): boolean {
    const key = `${model}\u0000${version}`;
    let b = this.batched.get(key);
    if (b === undefined) {
      try {
        b = this.sources.registry?.resolve(model, version).batching.enabled ?? false;
      } catch {
        b = false;
      }
      this.batched.set(key, b);
    }
    return b;
  }

  onStage(ctx: RequestContext, stage: PipelineStage, _startedAt: number, durationMs: number): void {
    const ins = this.instruments;
    if (ins === undefined || (stage !== 'queue' && stage !== 'run')) return;
    const attrs = this.modelAttrs(ctx);
    if (attrs === undefined) return;
    if (stage === 'queue') ins.queueDuration.record(durationMs / 1000, attrs);
    else {
      ins.computeDuration.record(durationMs / 1000, attrs);
      if (ctx.batchSize !== undefined && !this.isBatched(ctx.model!, ctx.version ?? '')) ins.batchSize.record(ctx.batchSize, attrs);
    }
  }

  onBatch(model: string, version: string, batchSize: number): void {
    if (this.instruments === undefined || this.sources.registry?.has(model) !== true) return;
    this.instruments.batchSize.record(batchSize, { [Attr.model]: model, [Attr.version]: version });
  }

  onRequestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const ins = this.instruments;
    if (ins === undefined) return;
    const attrs: Attributes = { [Attr.protocol]: bounded(ctx.protocol), [Attr.endpoint]: bounded(ctx.endpoint), ...this.modelAttrs(ctx) };
    ins.requestDuration.record(outcome.durationMs / 1000, attrs);
    attrs[Attr.status] = outcome.status;
    ins.requests.add(1, attrs);
    if (outcome.code !== undefined) {
      delete attrs[Attr.status];
      attrs[Attr.errorType] = /^PONTE_[A-Z_]{1,48}$/.test(outcome.code) ? outcome.code : 'PONTE_INTERNAL';
      ins.errors.add(1, attrs);
    }
  }

  onModelState(model: string, version: string, state: string): void {
    this.batched.delete(`${model}\u0000${version}`);
    if (state === 'failed') this.instruments?.loadFailures.add(1, { [Attr.model]: model, [Attr.version]: version });
  }
}
