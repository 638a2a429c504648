import type { Lifecycle, ModelRegistry, PredictionLog, SinkHub } from '@ponte/core';
import { PONTE_VERSION } from '@ponte/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CounterFamily } from './counter-family.js';
import { HistogramFamily } from './histogram-family.js';
import { DEFAULT_BATCH_SIZE_BUCKETS, DEFAULT_DURATION_BUCKETS, DEFAULT_QUEUE_BUCKETS, type PrometheusExporterOptions } from './options.js';

/** The core services scrape-time gauges read: the plugin resolves each on first use (they exist once every plugin has registered). */
export interface CoreServices {
  readonly registry: ModelRegistry;
  readonly lifecycle: Lifecycle;
  readonly sinks: SinkHub;
  /** Present when a prediction store is loaded. */
  readonly predictionLog: PredictionLog | undefined;
}

const REQUEST_LABELS = ['protocol', 'endpoint', 'model', 'version', 'code'] as const;
const DURATION_LABELS = ['protocol', 'endpoint', 'model', 'version'] as const;
const MODEL_LABELS = ['model', 'version'] as const;
const MODEL_STATES = ['loading', 'ready', 'failed', 'unloaded'] as const;

/**
 * Ponte's service metrics in their own prom-client `Registry` (one per server,
 * so two servers in one process never share counters). Request-path metrics
 * are updated by the observer; gauges that describe the server's state (in
 * flight, queue depth, model state) are read from core at scrape time, so they
 * cannot drift from the truth.
 *
 * @example
 * ```ts
 * const m = new ServiceMetrics(options, core);
 * const text = await m.registry.metrics();
 * ```
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  // Updated on every request: pre-resolved series (see LabelledFamily), not prom-client's per-call label hashing.
  readonly requests: CounterFamily<(typeof REQUEST_LABELS)[number]>;
  readonly errors: CounterFamily<(typeof REQUEST_LABELS)[number]>;
  readonly requestDuration: HistogramFamily<(typeof DURATION_LABELS)[number]>;
  readonly queueDuration: HistogramFamily<(typeof MODEL_LABELS)[number]>;
  readonly computeDuration: HistogramFamily<(typeof MODEL_LABELS)[number]>;
  readonly batchSize: HistogramFamily<(typeof MODEL_LABELS)[number]>;
  readonly loadFailures: Counter<(typeof MODEL_LABELS)[number]>;

  constructor(options: Pick<PrometheusExporterOptions, 'prefix' | 'processMetrics' | 'buckets'>, core: CoreServices) {
    const p = options.prefix;
    const registers = [this.registry];
    const b = options.buckets;
    const r = this.registry;
    this.requests = new CounterFamily(`${p}requests_total`, 'Data-plane requests answered, by protocol, endpoint, model, version and HTTP status code.', REQUEST_LABELS, r);
    this.errors = new CounterFamily(`${p}errors_total`, 'Failed data-plane requests, by Ponte error code (PONTE_...).', REQUEST_LABELS, r);
    this.requestDuration = new HistogramFamily(`${p}request_duration_seconds`, 'Time from request arrival to response, seconds.', DURATION_LABELS, b.requestDuration ?? DEFAULT_DURATION_BUCKETS, r);
    this.queueDuration = new HistogramFamily(`${p}queue_duration_seconds`, 'Time a request waited in the model queue before its batch ran, seconds.', MODEL_LABELS, b.queueDuration ?? DEFAULT_QUEUE_BUCKETS, r);
    this.computeDuration = new HistogramFamily(`${p}compute_duration_seconds`, 'Model run time of the batch a request was part of, seconds.', MODEL_LABELS, b.computeDuration ?? DEFAULT_DURATION_BUCKETS, r);
    this.batchSize = new HistogramFamily(`${p}batch_size`, 'Rows per model execution (a dynamic batch, or one request when batching is off).', MODEL_LABELS, b.batchSize ?? DEFAULT_BATCH_SIZE_BUCKETS, r);
    this.loadFailures = new Counter({
      name: `${p}model_load_failures_total`,
      help: 'Model versions that failed to load or warm up.',
      labelNames: MODEL_LABELS,
      registers,
      collect() {
        // Start every known version at 0, so increase() sees a later failure (a series born at 1 looks like no change).
        for (const m of core.registry.readiness().models) for (const v of m.versions) this.inc({ model: m.name, version: v.version }, 0);
      },
    });

    new Gauge({
      name: `${p}requests_in_flight`,
      help: 'Data-plane requests being processed now.',
      registers,
      collect() {
        this.set(core.lifecycle.inFlight);
      },
    });
    new Gauge({
      name: `${p}queue_depth`,
      help: 'Requests waiting in the batch queue of each ready model version.',
      labelNames: MODEL_LABELS,
      registers,
      collect() {
        this.reset();
        for (const r of core.registry.readyVersions()) this.set({ model: r.name, version: r.version }, r.runner.queueDepth);
      },
    });
    new Gauge({
      name: `${p}queue_capacity`,
      // Across cluster processes (server.processes > 1).
      aggregator: 'sum',
      help: 'Maximum requests the batch queue of each ready model version holds before answering 429 (0 when batching is off).',
      labelNames: MODEL_LABELS,
      registers,
      collect() {
        this.reset();
        for (const r of core.registry.readyVersions()) this.set({ model: r.name, version: r.version }, r.batching.enabled ? r.batching.maxQueueSize : 0);
      },
    });
    new Gauge({
      name: `${p}model_state`,
      // Across cluster processes (server.processes > 1).
      aggregator: 'max',
      help: 'State of each model version: 1 for its current state (loading, ready, failed, unloaded), 0 for the others.',
      labelNames: [...MODEL_LABELS, 'state'],
      registers,
      collect() {
        this.reset();
        for (const m of core.registry.readiness().models) {
          for (const v of m.versions) for (const s of MODEL_STATES) this.set({ model: m.name, version: v.version, state: s }, v.state === s ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: `${p}model_ready`,
      // Across cluster processes (server.processes > 1).
      aggregator: 'min',
      help: 'Whether every selected version of the model is ready (1) or not (0).',
      labelNames: ['model', 'required'],
      registers,
      collect() {
        this.reset();
        for (const m of core.registry.readiness().models) this.set({ model: m.name, required: String(m.required) }, m.ready ? 1 : 0);
      },
    });
    new Gauge({
      name: `${p}model_load_duration_seconds`,
      // Across cluster processes (server.processes > 1).
      aggregator: 'max',
      help: 'How long the model version took to load and warm up, seconds.',
      labelNames: MODEL_LABELS,
      registers,
      collect() {
        this.reset();
        for (const m of core.registry.readiness().models) {
          for (const v of m.versions) if (v.loadDurationMs !== undefined) this.set({ model: m.name, version: v.version }, v.loadDurationMs / 1000);
        }
      },
    });
    // After-response sinks: what each dropped (queue full) or failed to write is counted, never an error to a caller.
    const sinkCounter = (name: string, help: string, read: (s: ReturnType<SinkHub['stats']>[number]) => number): void => {
      new Counter({
        name,
        help,
        labelNames: ['sink'],
        registers,
        collect() {
          this.reset();
          for (const st of core.sinks.stats()) this.inc({ sink: st.sink }, read(st));
        },
      });
    };
    sinkCounter(`${p}sink_records_dropped_total`, 'Prediction records an after-response sink dropped because its queue was full.', (st) => st.dropped);
    sinkCounter(`${p}sink_records_failed_total`, 'Prediction records in sink writes that failed.', (st) => st.failed);
    sinkCounter(`${p}sink_records_written_total`, 'Prediction records an after-response sink wrote.', (st) => st.written);
    new Counter({
      name: `${p}prediction_log_dropped_total`,
      help: 'Predictions the prediction log did not store, by model and reason (queue_full: the store fell behind; store_error: it refused a batch). The answers were not affected.',
      labelNames: ['model', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const d of core.predictionLog?.dropStats() ?? []) this.inc({ model: d.model, reason: d.reason }, d.count);
      },
    });
    new Gauge({
      name: `${p}sink_queue_depth`,
      help: 'Prediction records waiting for an after-response sink.',
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        for (const st of core.sinks.stats()) this.set({ sink: st.sink }, st.queued);
      },
    });
    new Gauge({
      name: `${p}build_info`,
      // Across cluster processes (server.processes > 1).
      aggregator: 'first',
      help: 'Always 1; labels carry the Ponte and Node.js versions.',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version: PONTE_VERSION, node_version: process.version }, 1);

    // Process metrics keep their standard, unprefixed names (process_cpu_seconds_total, nodejs_heap_size_used_bytes …)
    // so stock Node.js dashboards and alerts work unchanged.
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client exports these three totals as gauges named *_total, which breaks Prometheus naming
      // rules (promtool check metrics); the per-type nodejs_active_* gauges carry the same information.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    }
  }
}
