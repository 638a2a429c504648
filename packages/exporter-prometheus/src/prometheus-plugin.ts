import { definePlugin, Tokens, type HttpEnv, type InferencePipeline, type Lifecycle, type ModelRegistry, type PipelineObserver, type PluginContext, type RequestContext } from '@ponte/core';
import type { Context } from 'hono';
import { clusterMetrics, inCluster, joinClusterMetrics } from './cluster-metrics.js';
import { MetricsServer } from './metrics-server.js';
import { PrometheusObserver } from './metrics-observer.js';
import { prometheusOptionsSchema, type PrometheusExporterOptions } from './options.js';
import { ServiceMetrics, type MetricSources } from './service-metrics.js';

interface State {
  metrics: ServiceMetrics;
  sources: MetricSources;
  pipeline?: InferencePipeline;
  server?: MetricsServer;
}

// The plugin object is shared by every server in the process; each server's state hangs off its own context.
const states = new WeakMap<PluginContext<PrometheusExporterOptions>, State>();

async function scrape(c: Context<HttpEnv>, state: State): Promise<Response> {
  // On the data-plane port, /metrics asks for the same credentials as any other read endpoint.
  if (state.pipeline !== undefined) {
    const ctx: RequestContext = { requestId: c.get('requestId'), protocol: 'rest', endpoint: 'metrics', headers: c.req.header(), startedAt: performance.now(), attributes: new Map() };
    await state.pipeline.authenticate(ctx, 'read');
  }
  // With several server processes, any one of them answers for all.
  const text = inCluster() ? await clusterMetrics() : await state.metrics.registry.metrics();
  return c.body(text, 200, { 'Content-Type': state.metrics.registry.contentType });
}

/**
 * Prometheus exporter: Ponte's service metrics (requests, latency, queue and
 * compute time, batch sizes, errors by code, in-flight, queue depth, model
 * state) plus process and Node.js runtime metrics, in the Prometheus text
 * format at `/metrics` — on the data-plane port by default, or on a separate
 * listener when `port` is set.
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
  description: 'Prometheus metrics at /metrics (service, model and process metrics)',
  configSchema: prometheusOptionsSchema,
  register(ctx) {
    const sources: MetricSources = {};
    const metrics = new ServiceMetrics(ctx.options, sources);
    const state: State = { metrics, sources };
    states.set(ctx, state);
    if (inCluster()) joinClusterMetrics(metrics.registry);
    // Observers are collected by core right after every plugin registered, so this cannot wait for start().
    ctx.provide<PipelineObserver>(Tokens.PipelineObserver, new PrometheusObserver(metrics, sources));
    if (ctx.options.port === undefined) ctx.http.get(ctx.options.path, (c) => scrape(c, state));
  },
  async start(ctx) {
    const state = states.get(ctx)!;
    state.sources.registry = ctx.root.resolve<ModelRegistry>(Tokens.ModelRegistry);
    state.sources.lifecycle = ctx.root.resolve<Lifecycle>(Tokens.Lifecycle);
    const { port, host, path } = ctx.options;
    if (port === undefined) {
      state.pipeline = ctx.root.resolve<InferencePipeline>(Tokens.InferencePipeline);
      return;
    }
    const server = new MetricsServer(state.metrics.registry, path, (err) => ctx.logger.warn({ err }, 'metrics collection failed'));
    await server.listen(port, host);
    state.server = server;
    ctx.logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${server.port}${path}` }, 'serving Prometheus metrics');
  },
  async stop(ctx) {
    const state = states.get(ctx);
    if (state?.server === undefined) return;
    const server = state.server;
    delete state.server;
    await server.close();
  },
});
