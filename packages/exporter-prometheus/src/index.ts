import { prometheusExporter } from './prometheus-plugin.js';

export { prometheusExporter } from './prometheus-plugin.js';
export { ServiceMetrics, type CoreServices } from './service-metrics.js';
export { PrometheusObserver } from './metrics-observer.js';
export { MetricsServer } from './metrics-server.js';
export { prometheusOptionsSchema, DEFAULT_DURATION_BUCKETS, DEFAULT_QUEUE_BUCKETS, DEFAULT_BATCH_SIZE_BUCKETS, type PrometheusExporterOptions, type PrometheusBuckets } from './options.js';
export { serveClusterMetrics, clusterMetrics, inCluster } from './cluster-metrics.js';

export default prometheusExporter;
