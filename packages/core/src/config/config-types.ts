import type { BatchingConfig, FeatureConfig, ModelTask, PredictionLoggingConfig, VersionPolicy } from '../model.js';

/** A plugin entry as written in config. */
export type PluginEntry = string | { package: string; options?: Record<string, unknown> };

/** A model entry as written in config (before discovery and defaults). */
export interface ModelEntry {
  name: string;
  source?: string;
  format?: string;
  versionPolicy?: VersionPolicy;
  required?: boolean;
  task?: ModelTask;
  description?: string;
  features?: FeatureConfig[];
  labels?: Array<string | number>;
  mainOutput?: string;
  warmup?: { runs?: number };
  batching?: Partial<BatchingConfig>;
  logging?: Partial<PredictionLoggingConfig>;
  options?: Record<string, unknown>;
}

/**
 * The root config after interpolation, validation and defaults.
 *
 * @example
 * ```yaml
 * version: 1
 * server: { port: 8080 }
 * plugins: ['@ponte/onnx', '@ponte/validator-jsonschema']
 * repository: ./examples/models
 * ```
 */
export interface PonteConfig {
  version: 1;
  server: {
    name: string;
    host: string;
    port: number;
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
    requestTimeoutMs: number;
    /** Server processes sharing the port (node:cluster); `auto` = one per available core. */
    processes: number | 'auto';
    /**
     * Liveness and readiness on a port of their own (`port`, 0 = ephemeral), answered off the
     * data plane's event loop: by a worker thread, or by the primary with `processes` > 1. Null =
     * only on the data-plane port. Liveness fails when the event loop has not run for `stallMs`.
     */
    health: { port: number | null; host?: string; stallMs: number };
  };
  logging: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; requests: boolean };
  plugins: PluginEntry[];
  repository?: string;
  models: ModelEntry[];
}

/** A loaded config file with what is needed to resolve relative paths and print it safely. */
export interface LoadedConfig {
  config: PonteConfig;
  /** Absolute path of the file, or undefined for configs built in code. */
  file?: string;
  /** Folder relative paths are resolved against. */
  baseDir: string;
  secretPaths: Set<string>;
}
