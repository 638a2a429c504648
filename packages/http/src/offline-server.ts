import { createLogger, loadConfigFile, PonteServer, type ReadyModel } from '@ponte/core';
import { httpProtocol } from './http-plugin.js';

/**
 * A config's models served in process for an offline tool (`ponte profile`,
 * `ponte explain`): on an ephemeral 127.0.0.1 port, one process, no health
 * port, and only the config's model-format, protocol, validator and transform
 * plugins — nothing is logged, monitored or authenticated. Stop it when done.
 *
 * @example
 * ```ts
 * const server = await startOfflineServer('config/ponte.yaml');
 * const model = newestReadyVersion(server, 'purchase');
 * await server.stop();
 * ```
 */
export async function startOfflineServer(configFile: string): Promise<PonteServer> {
  const loaded = loadConfigFile(configFile);
  const cfg = loaded.config;
  cfg.server = { ...cfg.server, host: '127.0.0.1', port: 0, processes: 1, health: { ...cfg.server.health, port: null } };
  const server = await PonteServer.create(loaded, { logger: createLogger('silent'), defaults: [httpProtocol], kinds: ['model-format', 'protocol', 'validator', 'transform'] });
  await server.start();
  return server;
}

/** The model's newest ready version (or `version`), or an error saying why there is none. */
export function newestReadyVersion(server: PonteServer, name: string, version?: string): ReadyModel {
  const ready = server.registry.readyVersions().filter((m) => m.name === name && (version === undefined || m.version === version));
  if (ready.length === 0) throw new Error(`model "${name}"${version !== undefined ? ` version ${version}` : ''} is not ready: ${server.registry.has(name) ? server.registry.problem(name) ?? 'no ready version' : 'no such model in the config'}`);
  return ready.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
}
