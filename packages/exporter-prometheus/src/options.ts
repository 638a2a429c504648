/** Histogram bucket overrides; each list must be increasing. */
export interface PrometheusBuckets {
  /** `<prefix>request_duration_seconds`, seconds. */
  requestDuration?: number[];
  /** `<prefix>queue_duration_seconds`, seconds. */
  queueDuration?: number[];
  /** `<prefix>compute_duration_seconds`, seconds. */
  computeDuration?: number[];
  /** `<prefix>batch_size`, rows. */
  batchSize?: number[];
}

/**
 * Options of `@ponte/exporter-prometheus`, as written under the plugin's
 * `options` in config. Defaults come from the plugin's config schema.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/exporter-prometheus'
 *     options: { port: 9464, host: 0.0.0.0 }
 * ```
 */
export interface PrometheusExporterOptions {
  /** Path of the scrape endpoint; default `/metrics`. */
  path: string;
  /** Serve on a separate listener on this port (0 = ephemeral); omitted = a route of the REST route table on the data-plane port. */
  port?: number;
  /** Interface of the separate listener; default `127.0.0.1`. Ignored without `port`. */
  host: string;
  /** Serve `/metrics` on the data-plane port without authentication (default false: a `monitor` action behind the gate). */
  public: boolean;
  /** Prefix of Ponte's service metrics; default `ponte_`. Process metrics keep their standard names. */
  prefix: string;
  /** Collect process and Node.js runtime metrics (CPU, memory, heap, event-loop lag, GC); default true. */
  processMetrics: boolean;
  buckets: PrometheusBuckets;
}

/** Request and stage latencies: 0.5 ms to 10 s, fine at the low end where ONNX models live. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Queue waits are usually far shorter than the request: 50 µs to 5 s. */
export const DEFAULT_QUEUE_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** Rows per executed batch: powers of two up to 1024. */
export const DEFAULT_BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

const bucketList = { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 };

/** JSON Schema of the plugin options (unknown keys refused, defaults filled by core). */
export const prometheusOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: { type: 'string', pattern: '^/[A-Za-z0-9._~/-]*$', default: '/metrics' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    public: { type: 'boolean', default: false },
    prefix: { type: 'string', pattern: '^([a-zA-Z_][a-zA-Z0-9_]*)?$', default: 'ponte_' },
    processMetrics: { type: 'boolean', default: true },
    buckets: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { requestDuration: bucketList, queueDuration: bucketList, computeDuration: bucketList, batchSize: bucketList },
    },
  },
};
