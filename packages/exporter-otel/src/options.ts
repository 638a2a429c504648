import { PIPELINE_STAGES, type PipelineStage } from '@ponte/core';

/**
 * Options of `@ponte/exporter-otel`, as written under the plugin's `options`
 * in config. Defaults come from the plugin's config schema.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/exporter-otel'
 *     options:
 *       endpoint: http://otel-collector:4318
 *       headers: { authorization: '${env:OTLP_AUTH}' }
 *       samplingRatio: 0.1
 * ```
 */
export interface OtelExporterOptions {
  /** Base URL of the OTLP/HTTP receiver; `/v1/traces` and `/v1/metrics` are appended. Default `http://127.0.0.1:4318`. */
  endpoint: string;
  /** Wire encoding: `http/protobuf` (default, what every collector accepts) or `http/json`. */
  protocol: 'http/protobuf' | 'http/json';
  /** `service.name` of the resource; default `ponte`. */
  serviceName: string;
  /** Extra resource attributes (`deployment.environment.name`, `service.namespace` …). */
  resourceAttributes: Record<string, string>;
  /** Headers sent with every export (e.g. an API key: write it as `${env:NAME}` so it is redacted). */
  headers: Record<string, string>;
  /** Timeout of one export request, retries included; default 10000. */
  exportTimeoutMillis: number;
  /** How long `stop()` waits for the final flush before giving up; default 5000. */
  shutdownTimeoutMillis: number;
  /** Export spans; default true. */
  traces: boolean;
  /**
   * Fraction of new traces sampled (0..1); a sampled or unsampled incoming `traceparent` is always
   * followed. Default 0.01: a traced request costs tens to hundreds of µs of CPU (six spans and their
   * export), several requests' worth; raise it for low-traffic services (docs/observability.md).
   */
  samplingRatio: number;
  /**
   * Most new traces (no incoming `traceparent`) this process starts a second, after `samplingRatio`;
   * bursts of one second's worth. Bounds tracing's CPU cost whatever the traffic. Default 20;
   * `null` lifts the cap.
   */
  maxTracesPerSecond: number | null;
  /** Pipeline stages that get a child span; default DEFAULT_STAGES (all but `authenticate` and `resolve`). */
  stages: PipelineStage[];
  /** Delay between span batch exports; default 5000. */
  scheduledDelayMillis: number;
  /** Spans kept waiting for export; more are dropped, never blocking requests. Default 2048. */
  maxQueueSize: number;
  /** Spans per export request; default 512. */
  maxExportBatchSize: number;
  /** Export metrics; default true. */
  metrics: boolean;
  /** Interval between metric exports; default 60000. */
  metricExportIntervalMillis: number;
  /** At most one log line per this interval about failing exports; default 60000. */
  errorLogIntervalMillis: number;
  /** Register the providers as the process-wide `@opentelemetry/api` globals, so other plugins' spans and metrics go out too. Default true. */
  registerGlobal: boolean;
}

/** Every stage core reports, in pipeline order (core's list). */
export const ALL_STAGES: readonly PipelineStage[] = PIPELINE_STAGES;

/**
 * Stages traced by default: those that take time in a typical request.
 * `authenticate` and `resolve` take microseconds without auth plugins; each
 * span costs a few µs to create and export, so they are opt-in.
 */
export const DEFAULT_STAGES: readonly PipelineStage[] = ['decode', 'validate', 'preprocess', 'queue', 'run', 'postprocess', 'encode'];

/** JSON Schema of the plugin options (unknown keys refused, defaults filled by core). */
export const otelOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', pattern: '^https?://', default: 'http://127.0.0.1:4318' },
    protocol: { enum: ['http/protobuf', 'http/json'], default: 'http/protobuf' },
    serviceName: { type: 'string', minLength: 1, default: 'ponte' },
    resourceAttributes: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    exportTimeoutMillis: { type: 'integer', minimum: 1, default: 10000 },
    shutdownTimeoutMillis: { type: 'integer', minimum: 0, default: 5000 },
    traces: { type: 'boolean', default: true },
    samplingRatio: { type: 'number', minimum: 0, maximum: 1, default: 0.01 },
    maxTracesPerSecond: { type: ['number', 'null'], exclusiveMinimum: 0, default: 20 },
    stages: { type: 'array', items: { enum: [...ALL_STAGES] }, uniqueItems: true, default: [...DEFAULT_STAGES] },
    scheduledDelayMillis: { type: 'integer', minimum: 1, default: 5000 },
    maxQueueSize: { type: 'integer', minimum: 1, default: 2048 },
    maxExportBatchSize: { type: 'integer', minimum: 1, default: 512 },
    metrics: { type: 'boolean', default: true },
    metricExportIntervalMillis: { type: 'integer', minimum: 100, default: 60000 },
    errorLogIntervalMillis: { type: 'integer', minimum: 0, default: 60000 },
    registerGlobal: { type: 'boolean', default: true },
  },
};
