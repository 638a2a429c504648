import type { PipelineObserver, PipelineStage, RequestContext, RequestOutcome } from '@ponte/core';
import type { MetricSources, ServiceMetrics } from './service-metrics.js';

/** Protocol and endpoint names come from code, not callers; anything unexpected is folded into `other`. */
const NAME = /^[a-z][a-z0-9_]{0,31}$/;

function bounded(value: string): string {
  return NAME.test(value) ? value : 'other';
}

interface Child {
  inc(): void;
}
interface HistogramChild {
  observe(value: number): void;
}

/**
 * Turns pipeline events into Prometheus samples. Each request is counted once,
 * in `onRequestEnd`, which core calls exactly once per request whatever the
 * protocol. `model` and `version` labels are only ever names of configured
 * models (set by core after the registry resolved them), never parts of a URL,
 * so label cardinality stays bounded. Label children are cached so the hot path
 * is a map lookup and an add.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.PipelineObserver, new PrometheusObserver(metrics, sources));
 * ```
 */
export class PrometheusObserver implements PipelineObserver {
  readonly name = '@ponte/exporter-prometheus';
  private readonly requestChildren = new Map<string, Child>();
  private readonly errorChildren = new Map<string, Child>();
  private readonly durationChildren = new Map<string, HistogramChild>();
  private readonly modelChildren = new Map<string, { queue: HistogramChild; compute: HistogramChild; batch: HistogramChild; batched: boolean }>();

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly sources: MetricSources,
  ) {}

  private modelOf(ctx: RequestContext): [string, string] {
    const m = ctx.model;
    if (m === undefined || this.sources.registry?.has(m) !== true) return ['', ''];
    return [m, ctx.version ?? ''];
  }

  private perModel(model: string, version: string): { queue: HistogramChild; compute: HistogramChild; batch: HistogramChild; batched: boolean } {
    const key = `${model}\u0000${version}`;
    let c = this.modelChildren.get(key);
    if (c === undefined) {
      let batched = false;
      try {
        batched = this.sources.registry?.resolve(model, version).batching.enabled ?? false;
      } catch {
        // version gone already; treat as unbatched
      }
      const labels = { model, version };
      c = { queue: this.metrics.queueDuration.labels(labels), compute: this.metrics.computeDuration.labels(labels), batch: this.metrics.batchSize.labels(labels), batched };
      this.modelChildren.set(key, c);
    }
    return c;
  }

  onStage(ctx: RequestContext, stage: PipelineStage, _startedAt: number, durationMs: number): void {
    if (stage !== 'queue' && stage !== 'run') return;
    const [model, version] = this.modelOf(ctx);
    if (model === '') return;
    const c = this.perModel(model, version);
    if (stage === 'queue') c.queue.observe(durationMs / 1000);
    else {
      c.compute.observe(durationMs / 1000);
      // Batched versions report each executed batch through onBatch; counting per request here would count a batch once per member.
      if (!c.batched && ctx.batchSize !== undefined) c.batch.observe(ctx.batchSize);
    }
  }

  onBatch(model: string, version: string, batchSize: number): void {
    if (this.sources.registry?.has(model) !== true) return;
    this.perModel(model, version).batch.observe(batchSize);
  }

  onRequestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const protocol = bounded(ctx.protocol);
    const endpoint = bounded(ctx.endpoint);
    const [model, version] = this.modelOf(ctx);
    const base = `${protocol}\u0000${endpoint}\u0000${model}\u0000${version}`;
    const status = String(outcome.status);

    let req = this.requestChildren.get(`${base}\u0000${status}`);
    if (req === undefined) {
      req = this.metrics.requests.labels({ protocol, endpoint, model, version, code: status });
      this.requestChildren.set(`${base}\u0000${status}`, req);
    }
    req.inc();

    let dur = this.durationChildren.get(base);
    if (dur === undefined) {
      dur = this.metrics.requestDuration.labels({ protocol, endpoint, model, version });
      this.durationChildren.set(base, dur);
    }
    dur.observe(outcome.durationMs / 1000);

    if (outcome.code !== undefined) {
      // Error codes are PonteError codes: a closed set defined in core.
      const code = /^PONTE_[A-Z_]{1,48}$/.test(outcome.code) ? outcome.code : 'PONTE_INTERNAL';
      let err = this.errorChildren.get(`${base}\u0000${code}`);
      if (err === undefined) {
        err = this.metrics.errors.labels({ protocol, endpoint, model, version, code });
        this.errorChildren.set(`${base}\u0000${code}`, err);
      }
      err.inc();
    }
  }

  onModelState(model: string, version: string, state: string): void {
    if (state === 'failed') this.metrics.loadFailures.inc({ model, version });
    // A reloaded version may change its batching setting: look it up again next time.
    this.modelChildren.delete(`${model}\u0000${version}`);
  }
}
