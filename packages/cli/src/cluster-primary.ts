import cluster, { type Worker } from 'node:cluster';
import { flushLogger, serveClusterHealth, usableCpus, type ClusterHealthOptions, type Logger } from '@ponte/core';

/** Message a worker sends once its server is ready. */
export const READY_MESSAGE = 'ponte:ready';

/**
 * `server.processes` as a count: `auto` is one per CPU this process may use —
 * its affinity capped by its cgroup CPU quota, rounded up (a 1.5-CPU limit
 * gives 2), so a pod limited to 2 CPUs on a 64-core node forks 2, not 64.
 */
export function processCount(setting: number | 'auto', cpus = usableCpus()): number {
  return setting === 'auto' ? Math.max(1, Math.ceil(cpus)) : setting;
}

export interface PrimaryOptions {
  processes: number;
  shutdownTimeoutMs: number;
  logger: Logger;
  /** Undoes the plugins' primary hooks (see `PluginDefinition.primary`). */
  stopPlugins: () => void;
  /** Serve liveness and readiness on this port from the primary (`server.health.port`). */
  health?: ClusterHealthOptions;
}

const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES = 5;

/**
 * The primary of `server.processes` > 1: forks that many `ponte serve`
 * processes sharing the listening port (node:cluster), so HTTP parsing and
 * small models use every core. A process that dies after it became ready is
 * replaced (at most five times a minute); one that fails while starting stops
 * them all with its exit code (2 for a bad config). SIGTERM/SIGINT drain every
 * process, then the primary exits 0.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { logger } = options;
  const stopPlugins = options.stopPlugins;
  let stopHealth = (): Promise<void> => Promise.resolve();
  if (options.health !== undefined) {
    try {
      const h = await serveClusterHealth(options.health);
      stopHealth = h.stop;
      logger.info({ port: h.port }, 'health listener on the primary');
    } catch (e) {
      stopPlugins();
      logger.error({ err: e }, 'health listener failed to start');
      return 1;
    }
  }
  return new Promise<number>((resolve) => {
    const ready = new WeakSet<Worker>();
    const crashes: number[] = [];
    let readyCount = 0;
    let shuttingDown = false;
    let exitCode = 0;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (): void => {
      clearTimeout(killTimer);
      stopPlugins();
      void stopHealth().then(() => {
        logger.info({ exitCode }, 'all server processes stopped');
        flushLogger(logger);
        resolve(exitCode);
      });
    };
    const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

    const shutdown = (code: number, reason: string): void => {
      if (shuttingDown) return;
      shuttingDown = true;
      exitCode = code;
      logger.info({ reason, processes: alive().length }, 'stopping server processes');
      for (const w of alive()) w.process.kill('SIGTERM');
      killTimer = setTimeout(() => { for (const w of alive()) w.process.kill('SIGKILL'); }, options.shutdownTimeoutMs + 5000);
      killTimer.unref();
      if (alive().length === 0) finish();
    };

    const fork = (): void => {
      const w = cluster.fork();
      w.on('message', (m: unknown) => {
        if ((m as { type?: unknown } | null)?.type !== READY_MESSAGE || ready.has(w)) return;
        ready.add(w);
        readyCount++;
        if (readyCount === options.processes) logger.info({ processes: options.processes }, 'all server processes ready');
      });
    };

    cluster.on('exit', (w, code, signal) => {
      if (shuttingDown) {
        if (alive().length === 0) finish();
        return;
      }
      if (!ready.has(w)) {
        logger.error({ workerPid: w.process.pid, code, signal }, 'a server process failed while starting');
        shutdown(code === 2 ? 2 : 1, 'start-up failure');
        return;
      }
      readyCount--;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_CRASHES) {
        logger.error({ crashes: crashes.length }, 'server processes keep dying; giving up');
        shutdown(1, 'crash loop');
        return;
      }
      logger.error({ workerPid: w.process.pid, code, signal }, 'a server process died; starting another');
      fork();
    });

    process.once('SIGTERM', () => shutdown(0, 'SIGTERM'));
    process.once('SIGINT', () => shutdown(0, 'SIGINT'));
    logger.info({ processes: options.processes }, 'starting server processes');
    for (let i = 0; i < options.processes; i++) fork();
  });
}
