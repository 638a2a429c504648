import cluster from 'node:cluster';
import { stringify } from 'yaml';
import { processCount, READY_MESSAGE, runPrimary } from './cluster-primary.js';
import { EXIT } from './exit-codes.js';
import { applyOverrides, type ServeOverrides } from './serve-options.js';
import { checkConfigFile, ConfigError, createLogger, flushLogger, healthPortSettings, isPonteError, loadConfigFile, PonteServer, redactConfig, startPrimaryHooks, type Logger } from '@ponte/core';
import { httpProtocol } from '@ponte/http';

/** Plugins every server loads unless its config lists them (with options): the REST protocol. */
const DEFAULT_PLUGINS = [httpProtocol];

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export { EXIT };

function report(io: Io, e: unknown): number {
  if (e instanceof ConfigError) {
    io.err(`ponte: ${e.message}\n`);
    return EXIT.usage;
  }
  if (isPonteError(e)) {
    io.err(`ponte: ${e.code}: ${e.message}\n`);
    return e.code.startsWith('PONTE_PLUGIN') || e.code.startsWith('PONTE_CONFIG') ? EXIT.usage : EXIT.failure;
  }
  io.err(`ponte: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT.failure;
}

/** `ponte config check FILE`: everything `serve` checks before it starts, without starting. */
export async function configCheck(file: string, io: Io): Promise<number> {
  try {
    const result = await checkConfigFile(file, { defaults: DEFAULT_PLUGINS });
    if (result.problems.length > 0) return report(io, new ConfigError(result.problems));
    io.out(`${file}: OK (${result.plugins} plugins, ${result.models} models, every model loaded)\n`);
    return EXIT.ok;
  } catch (e) {
    return report(io, e);
  }
}

/** `ponte config print FILE`: the effective config with defaults filled and secrets redacted. */
export function configPrint(file: string, io: Io): number {
  try {
    const loaded = loadConfigFile(file);
    io.out(stringify(redactConfig(loaded.config, loaded.secretPaths)));
    return EXIT.ok;
  } catch (e) {
    return report(io, e);
  }
}

/**
 * `ponte serve --config FILE`: serve until SIGTERM or SIGINT, then drain and
 * exit 0. An invalid config exits 2 with every message and starts nothing.
 */
export async function serve(file: string, io: Io, overrides: ServeOverrides = {}): Promise<number> {
  let server: PonteServer;
  let logger: Logger | undefined;
  try {
    const loaded = loadConfigFile(file);
    applyOverrides(loaded.config, overrides);
    logger = createLogger(loaded.config.logging.level);
    const processes = processCount(loaded.config.server.processes);
    if (processes > 1 && cluster.isPrimary) {
      const health = healthPortSettings(loaded.config.server);
      // Plugins set up what the server processes share (the Prometheus exporter aggregates their metrics).
      const stopPlugins = await startPrimaryHooks(loaded.config, loaded.baseDir, logger, DEFAULT_PLUGINS);
      return runPrimary({ processes, shutdownTimeoutMs: loaded.config.server.shutdownTimeoutMs, logger, stopPlugins, ...(health ? { health: { ...health, expected: processes } } : {}) });
    }
    server = await PonteServer.create(loaded, { logger, defaults: DEFAULT_PLUGINS });
  } catch (e) {
    return report(io, e);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    // Once: a signal sent to the process group reaches a relaunched server twice (gc-relaunch.ts); the drain is bounded by shutdownTimeoutMs.
    if (stopping) return;
    stopping = true;
    logger!.info({ signal }, 'signal received, shutting down');
    server.stop().then(() => {
      flushLogger(logger!);
      process.exit(EXIT.ok);
    }, (e: unknown) => {
      logger!.error({ err: e }, 'shutdown failed');
      flushLogger(logger!);
      process.exit(EXIT.failure);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.start();
    if (cluster.isWorker) process.send?.({ type: READY_MESSAGE });
  } catch (e) {
    const code = report(io, e);
    await server.stop().catch(() => undefined);
    flushLogger(logger);
    return code;
  }
  return -1; // keep running
}
