import { definePlugin, Tokens, type PredictionLog } from '@ponte/core';
import { HttpTokens } from '@ponte/http';
import { clusterMetrics, inCluster, joinClusterMetrics, serveClusterMetrics } from './cluster-metrics.js';
import { MetricSourceGauges } from './metric-source-gauges.js';
import { MetricsServer } from './metrics-server.js';
import { PrometheusObserver } from './metrics-observer.js';
import { prometheusOptionsSchema, type PrometheusExporterOptions } from './options.js';
import { ServiceMetrics, type CoreServices } from './service-metrics.js';

/**
 * Prometheus exporter: Ponte's service metrics (requests, latency, queue and
 * compute time, batch sizes, errors by code, in-flight, queue depth, model
 * state, after-response sinks) plus process and Node.js runtime metrics, in
 * the Prometheus text format at `/metrics` — a route of the REST protocol
 * (behind the gate as a `monitor` action, unless `public: true`), or on a
 * separate listener when `port` is set.
 *
 * @example
 * ```yaml
 * plugins:
 *   - '@ponte/exporter-prometheus'                       # GET /metrics on the data-plane port
 *   - package: '@ponte/exporter-prometheus'
 *     options: { port: 9464, host: 0.0.0.0 }            # or its own port
 * ```
 */
export const prometheusExporter = definePlugin<PrometheusExporterOptions>({
  name: '@ponte/exporter-prometheus',
  kind: 'exporter',
  core: '^0.1.0',
  dependsOn: ['@ponte/http'],
  description: 'Prometheus metrics at /metrics (service, model and process metrics)',
  configSchema: prometheusOptionsSchema,
  register(ctx) {
    const registry = ctx.later(Tokens.ModelRegistry);
    const lifecycle = ctx.later(Tokens.Lifecycle);
    const sinks = ctx.later(Tokens.SinkHub);
    let predictionLog: { value: PredictionLog | undefined } | undefined;
    // Core services exist once every plugin has registered: read on first use (a request or a scrape).
    const core: CoreServices = {
      get registry() { return registry(); },
      get lifecycle() { return lifecycle(); },
      get sinks() { return sinks(); },
      get predictionLog() { return (predictionLog ??= { value: ctx.resolveAll(Tokens.PredictionLog)[0] }).value; },
    };
    const metrics = new ServiceMetrics(ctx.options, core);
    if (inCluster()) joinClusterMetrics(metrics.registry);
    ctx.provide(Tokens.PipelineObserver, new PrometheusObserver(metrics, core));
    const { port, host, path } = ctx.options;
    // With several server processes, any one of them answers for all.
    const sourced = new MetricSourceGauges(metrics.registry, ctx.options.prefix, () => ctx.resolveAll(Tokens.MetricSource), (err, source) => ctx.logger.warn({ err, source }, 'a metric source failed'));
    const scrape = (): Promise<string> => {
      sourced.sync();
      return inCluster() ? clusterMetrics() : metrics.registry.metrics();
    };
    if (port === undefined) {
      ctx.resolve(HttpTokens.Routes).add({
        method: 'GET', path, name: 'metrics', action: ctx.options.public ? 'public' : 'monitor', tracked: false,
        docs: { operationId: 'metrics', summary: 'Prometheus metrics', description: 'Service, model and process metrics in the Prometheus text format.', tag: 'Monitoring' },
        respond: async () => ({ status: 200, contentType: metrics.registry.contentType, body: await scrape() }),
      }, ctx.name);
    }
    let server: MetricsServer | undefined;
    return {
      async start() {
        if (port === undefined) return;
        const s = new MetricsServer(scrape, metrics.registry.contentType, path, (err) => ctx.logger.warn({ err }, 'metrics collection failed'));
        await s.listen(port, host);
        server = s;
        ctx.logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${s.port}${path}` }, 'serving Prometheus metrics');
      },
      async stop() {
        const s = server;
        server = undefined;
        await s?.close();
      },
    };
  },
  // The cluster primary answers the workers' requests for their metrics, so any process can serve a scrape for all.
  primary: () => serveClusterMetrics(),
});
