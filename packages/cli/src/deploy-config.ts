import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * What `ponte docker` and `ponte k8s` need to know about a config: its ports,
 * drain timeout, model repository and writable files. Read from the YAML as
 * written — `${env:…}` left unsubstituted, no plugin loaded — because the file
 * runs elsewhere (in the image, in the pod) with another environment.
 */
export interface DeployFacts {
  /** The parsed file, for `ponte k8s` to adapt and embed. */
  raw: Record<string, unknown>;
  httpPort: number;
  /** `@ponte/grpc`'s port when the plugin is listed. */
  grpcPort: number | undefined;
  /** `server.health.port`: probes go there when set. */
  healthPort: number | undefined;
  shutdownTimeoutMs: number;
  /** `repository` as written (relative to the config's folder, or absolute); undefined when absent. */
  repository: string | undefined;
  /** Files the server writes (the SQLite prediction log), as written in the config. */
  writableFiles: string[];
  /** Where Prometheus scrapes, when `@ponte/exporter-prometheus` is listed. */
  metrics: { port: number | undefined; path: string } | undefined;
  /** Package names of the listed plugins, in order. */
  plugins: string[];
}

export interface PluginEntry { package: string; options: Record<string, unknown> }

const DEFAULT_HTTP_PORT = 8080;
const DEFAULT_GRPC_PORT = 8081;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const DEFAULT_SQLITE_FILE = './data/ponte.db';

/** A config's deployment facts; throws an Error naming the file when it is not a YAML mapping. */
export function readDeployFacts(file: string): DeployFacts {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(raw)) throw new Error(`${file}: not a Ponte config (expected a YAML mapping with version: 1)`);
  return deployFacts(raw);
}

export function deployFacts(raw: Record<string, unknown>): DeployFacts {
  const server = isRecord(raw['server']) ? raw['server'] : {};
  const health = isRecord(server['health']) ? server['health'] : {};
  const plugins = pluginEntries(raw);
  const grpc = plugins.find((p) => p.package === '@ponte/grpc');
  const sqlite = plugins.find((p) => p.package === '@ponte/store-sqlite');
  const prometheus = plugins.find((p) => p.package === '@ponte/exporter-prometheus');
  return {
    raw,
    httpPort: portOf(server['port'], DEFAULT_HTTP_PORT),
    grpcPort: grpc === undefined ? undefined : portOf(grpc.options['port'], DEFAULT_GRPC_PORT),
    healthPort: typeof health['port'] === 'number' ? health['port'] : undefined,
    shutdownTimeoutMs: typeof server['shutdownTimeoutMs'] === 'number' ? server['shutdownTimeoutMs'] : DEFAULT_SHUTDOWN_TIMEOUT_MS,
    repository: typeof raw['repository'] === 'string' ? raw['repository'] : undefined,
    writableFiles: sqlite === undefined ? [] : [typeof sqlite.options['file'] === 'string' ? sqlite.options['file'] : DEFAULT_SQLITE_FILE],
    metrics: prometheus === undefined ? undefined : {
      port: typeof prometheus.options['port'] === 'number' ? prometheus.options['port'] : undefined,
      path: typeof prometheus.options['path'] === 'string' ? prometheus.options['path'] : '/metrics',
    },
    plugins: plugins.map((p) => p.package),
  };
}

/** The `plugins` list with every entry in its object form. */
export function pluginEntries(raw: Record<string, unknown>): PluginEntry[] {
  const list = Array.isArray(raw['plugins']) ? raw['plugins'] : [];
  return list.flatMap((p): PluginEntry[] => {
    if (typeof p === 'string') return [{ package: p, options: {} }];
    if (isRecord(p) && typeof p['package'] === 'string') return [{ package: p['package'], options: isRecord(p['options']) ? p['options'] : {} }];
    return [];
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A port as written; a `${env:…}` string or anything else falls back to the default. */
function portOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65535) return v;
  if (typeof v === 'string') {
    const m = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*:-(\d+)\}$/.exec(v);
    if (m) return Number(m[1]);
  }
  return fallback;
}
