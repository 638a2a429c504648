import type { PonteConfig } from '@ponte/core';

/** What `ponte serve` may override in the config: flags first, then `PONTE_*` variables. */
export interface ServeOverrides {
  port?: number;
  host?: string;
  grpcPort?: number;
  healthPort?: number;
}

/** The flag and the environment variable of each port, in the order they win. */
const PORTS = [
  { key: 'port', flag: '--port', env: 'PONTE_PORT' },
  { key: 'grpcPort', flag: '--grpc-port', env: 'PONTE_GRPC_PORT' },
  { key: 'healthPort', flag: '--health-port', env: 'PONTE_HEALTH_PORT' },
] as const;

/**
 * Reads `--port`, `--grpc-port`, `--health-port` (each falling back to `PONTE_PORT`,
 * `PONTE_GRPC_PORT`, `PONTE_HEALTH_PORT`) and `--host`, so that two
 * servers can run from one config file (whose relative paths would break in a copy).
 * Returns the message to print for a value that is not a port.
 */
export function serveOverrides(flags: { port?: string | undefined; 'grpc-port'?: string | undefined; 'health-port'?: string | undefined; host?: string | undefined }, env: NodeJS.ProcessEnv): ServeOverrides | { error: string } {
  const out: ServeOverrides = {};
  for (const p of PORTS) {
    const fromFlag = flags[p.flag.slice(2) as 'port' | 'grpc-port' | 'health-port'];
    const raw = fromFlag ?? (env[p.env] === '' ? undefined : env[p.env]);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) return { error: `${fromFlag !== undefined ? p.flag : p.env} must be an integer between 0 and 65535, got "${raw}"` };
    out[p.key] = n;
  }
  if (flags.host !== undefined) out.host = flags.host;
  return out;
}

/**
 * Writes the overrides into a loaded config: the REST port and host, the health port (which turns
 * the health listener on), and the port of every `@ponte/grpc` entry (a config without gRPC has
 * none to move).
 */
export function applyOverrides(config: PonteConfig, o: ServeOverrides): void {
  if (o.port !== undefined) config.server.port = o.port;
  if (o.host !== undefined) config.server.host = o.host;
  if (o.healthPort !== undefined) config.server.health.port = o.healthPort;
  if (o.grpcPort === undefined) return;
  config.plugins = config.plugins.map((entry) => {
    const name = typeof entry === 'string' ? entry : entry.package;
    if (name !== '@ponte/grpc') return entry;
    return { package: name, options: { ...(typeof entry === 'string' ? {} : entry.options), port: o.grpcPort } };
  });
}
