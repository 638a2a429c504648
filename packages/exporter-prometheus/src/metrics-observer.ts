import type { PipelineObserver, PipelineStage, RequestContext, RequestOutcome } from '@ponte/core';
import type { CounterSeries } from './counter-family.js';
import type { HistogramSeries } from './histogram-family.js';
import type { CoreServices, ServiceMetrics } from './service-metrics.js';

/** Protocol and endpoint names come from code, not callers; anything unexpected is folded into `other`. */
const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const ERROR_CODE = /^PONTE_[A-Z_]{1,48}$/;

function bounded(value: string): string {
  return NAME.test(value) ? value : 'other';
}

/** The series of one exported (protocol, endpoint, model, version). */
interface RouteSeries {
  readonly labels: Readonly<Record<'protocol' | 'endpoint' | 'model' | 'version', string>>;
  readonly duration: HistogramSeries;
  readonly byStatus: Map<number, CounterSeries>;
  readonly byError: Map<string, CounterSeries>;
}

/** The raw request fields the previous request's series was found for. */
interface LastRoute {
  readonly protocol: string;
  readonly endpoint: string;
  readonly model: string | undefined;
  readonly version: string | undefined;
  readonly series: RouteSeries;
}

/** The series of one model version. */
interface ModelSeries {
  readonly queue: HistogramSeries;
  readonly compute: HistogramSeries;
  readonly batch: HistogramSeries;
  readonly batched: boolean;
}

/**
 * Turns pipeline events into Prometheus samples. Each request is counted once,
 * in `onRequestEnd`, which core calls exactly once per request whatever the
 * protocol. `model` and `version` labels are only ever names of configured
 * models (set by core after the registry resolved them), never parts of a URL,
 * so label cardinality stays bounded.
 *
 * The request path does no label work: series are looked up once per label
 * set and kept, and the series of the previous request is tried first (under
 * load nearly every request hits it), so a request costs a few comparisons
 * and four additions.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.PipelineObserver, new PrometheusObserver(metrics, core));
 * ```
 */
export class PrometheusObserver implements PipelineObserver {
  readonly name = '@ponte/exporter-prometheus';
  /** Only these stages carry metrics; core skips the others for this observer. */
  readonly stages: readonly PipelineStage[] = ['queue', 'run'];
  private readonly routes = new Map<string, RouteSeries>();
  private readonly models = new Map<string, ModelSeries>();
  private lastRoute: LastRoute | undefined;
  private lastModel: { model: string; version: string; series: ModelSeries } | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly core: CoreServices,
  ) {}

  private perModel(model: string, version: string): ModelSeries {
    const last = this.lastModel;
    if (last !== undefined && last.model === model && last.version === version) return last.series;
    const key = `${model}\u0000${version}`;
    let s = this.models.get(key);
    if (s === undefined) {
      let batched = false;
      try {
        batched = this.core.registry.resolve(model, version).batching.enabled;
      } catch {
        // version gone already; treat as unbatched
      }
      const labels = { model, version };
      s = { queue: this.metrics.queueDuration.series(labels), compute: this.metrics.computeDuration.series(labels), batch: this.metrics.batchSize.series(labels), batched };
      this.models.set(key, s);
    }
    this.lastModel = { model, version, series: s };
    return s;
  }

  private perRoute(ctx: RequestContext): RouteSeries {
    const last = this.lastRoute;
    if (last !== undefined && last.model === ctx.model && last.version === ctx.version && last.endpoint === ctx.endpoint && last.protocol === ctx.protocol) return last.series;
    // An unknown model name is the caller's text: it is counted under model="" so label values stay bounded.
    const known = ctx.model !== undefined && this.core.registry.has(ctx.model);
    const labels = { protocol: bounded(ctx.protocol), endpoint: bounded(ctx.endpoint), model: known ? ctx.model! : '', version: known ? ctx.version ?? '' : '' };
    const key = `${labels.protocol}\u0000${labels.endpoint}\u0000${labels.model}\u0000${labels.version}`;
    let series = this.routes.get(key);
    if (series === undefined) {
      series = { labels, duration: this.metrics.requestDuration.series(labels), byStatus: new Map(), byError: new Map() };
      this.routes.set(key, series);
    }
    this.lastRoute = { protocol: ctx.protocol, endpoint: ctx.endpoint, model: ctx.model, version: ctx.version, series };
    return series;
  }

  onStage(ctx: RequestContext, stage: PipelineStage, _startedAt: number, durationMs: number): void {
    if (stage !== 'queue' && stage !== 'run') return;
    const model = ctx.model;
    if (model === undefined || !this.core.registry.has(model)) return;
    const s = this.perModel(model, ctx.version ?? '');
    if (stage === 'queue') s.queue.observe(durationMs / 1000);
    else {
      s.compute.observe(durationMs / 1000);
      // Batched versions report each executed batch through onBatch; counting per request here would count a batch once per member.
      if (!s.batched && ctx.batchSize !== undefined) s.batch.observe(ctx.batchSize);
    }
  }

  onBatch(model: string, version: string, batchSize: number): void {
    if (!this.core.registry.has(model)) return;
    this.perModel(model, version).batch.observe(batchSize);
  }

  onRequestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const r = this.perRoute(ctx);
    let req = r.byStatus.get(outcome.status);
    if (req === undefined) {
      req = this.metrics.requests.series({ ...r.labels, code: String(outcome.status) });
      r.byStatus.set(outcome.status, req);
    }
    req.inc();
    r.duration.observe(outcome.durationMs / 1000);

    if (outcome.code !== undefined) {
      // Error codes are PonteError codes: a closed set defined in core.
      const code = ERROR_CODE.test(outcome.code) ? outcome.code : 'PONTE_INTERNAL';
      let err = r.byError.get(code);
      if (err === undefined) {
        err = this.metrics.errors.series({ ...r.labels, code });
        r.byError.set(code, err);
      }
      err.inc();
    }
  }

  onModelState(model: string, version: string, state: string): void {
    if (state === 'failed') this.metrics.loadFailures.inc({ model, version });
    // A reloaded version may change its batching setting: look it up again next time.
    this.models.delete(`${model}\u0000${version}`);
    this.lastModel = undefined;
    this.lastRoute = undefined;
  }
}
