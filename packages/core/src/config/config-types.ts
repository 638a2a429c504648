import type { BatchingConfig, FeatureConfig, ModelSha256, ModelTask, PredictionLoggingConfig, VersionPolicy } from '../model.js';

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
  monitoring?: Record<string, unknown>;
  explain?: Record<string, unknown>;
  options?: Record<string, unknown>;
  sha256?: ModelSha256;
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
    /** What one REST request may ask of the server; past each limit the request gets a 4xx naming it. */
    limits: RequestLimitsConfig;
    /** Cross-origin requests from browsers; off when absent. */
    cors?: CorsConfig;
    /** Server processes sharing the port (node:cluster); `auto` = one per available core. */
    processes: number | 'auto';
    /**
     * Liveness and readiness on a port of their own (`port`, 0 = ephemeral), answered off the
     * data plane's event loop: by a worker thread, or by the primary with `processes` > 1. Null =
     * only on the data-plane port. Liveness fails when the event loop has not run for `stallMs`.
     */
    health: { port: number | null; host?: string; stallMs: number };
    /**
     * TLS for the REST listener and the gRPC server (unless its plugin options set their own):
     * PEM files relative to the config file's folder, reloaded when they change. `ca` verifies
     * client certificates, which `clientCertificates` asks for (`request`) or demands (`require`).
     */
    tls?: TlsConfig;
    /** The audit log (authentication failures, refusals, admin actions); off when absent. */
    audit?: AuditConfig;
  };
  logging: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; requests: boolean };
  plugins: PluginEntry[];
  repository?: string;
  models: ModelEntry[];
  /** REST routes of the deployment's own, served by `@ponte/http` (docs/api.md, "Migrating from a Flask or FastAPI endpoint"). */
  routes?: CustomRouteEntry[];
}

/** One entry of `routes`: POST `path` runs `model`, reading `request`'s body shape and answering `response`'s fields. */
export interface CustomRouteEntry {
  path: string;
  model: string;
  version?: string;
  request: 'features' | 'instances' | 'oip';
  /** Answer field → `probability`, `label`, `probabilities`, `prediction` or `output:<name>`. */
  response: Record<string, string>;
  summary?: string;
}

/** `server.audit`: where audit lines go and how many refusals per second per reason are written. */
export interface AuditConfig {
  /** A file (relative to the config file's folder, appended to), `stderr` or `stdout`. */
  path: string;
  /** Refusal lines (401/403) written per second for each reason; the rest are counted. */
  maxPerSecond: number;
}

/** `server.tls`: a listener's certificate, key and client CA, and whether clients must present a certificate. */
export interface TlsConfig {
  cert: string;
  key: string;
  ca?: string;
  clientCertificates: 'none' | 'request' | 'require';
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

/** `server.limits`: bounds on one REST request beyond `bodyLimitBytes` and `requestTimeoutMs`. */
export interface RequestLimitsConfig {
  /** Deepest nesting of arrays and objects in a JSON body. */
  jsonDepth: number;
  /** Most elements one input tensor may declare. */
  tensorElements: number;
  /** Largest request head (request line and headers), in bytes. */
  headerBytes: number;
}

/** `server.cors`: the origins (and optionally headers and methods) browsers may call the REST API from. */
export interface CorsConfig {
  /** `scheme://host[:port]`, or `*` for any origin. */
  origins: string[];
  headers?: string[];
  methods?: Array<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  maxAgeSeconds: number;
}
