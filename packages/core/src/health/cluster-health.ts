import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { HealthReport } from './health-report.js';
import { healthRequestListener, listenHealth, listeningPort } from './health-listener.js';
import { clusterHealthView, type HealthView, type ProcessHealth } from './health-view.js';

/** IPC message a cluster worker sends at every beat. */
export const HEALTH_MESSAGE = 'ponte:health';

interface HealthMessage {
  type: typeof HEALTH_MESSAGE;
  report: HealthReport;
}

/**
 * The worker side of cluster health: sends the process's report to the
 * primary every `beatMs`. The message is the beat: it is sent from a timer, so
 * it stops when the event loop is stuck.
 */
export class ClusterHealthReporter {
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly report: () => HealthReport, beatMs = 200) {
    this.pulse();
    this.timer = setInterval(() => this.pulse(), beatMs);
    this.timer.unref();
  }

  pulse(): void {
    if (process.connected) process.send?.({ type: HEALTH_MESSAGE, report: this.report() } satisfies HealthMessage);
  }

  stop(): void {
    clearInterval(this.timer);
    this.pulse();
  }
}

export interface ClusterHealthOptions {
  host: string;
  port: number;
  stallMs: number;
  /** Server processes the primary keeps running. */
  expected: number;
}

/**
 * The primary's side: a health listener fed by the workers' beats. The
 * primary serves no requests, so its event loop is free to answer probes at
 * once, whatever load its workers carry. Resolves once listening.
 */
export async function serveClusterHealth(o: ClusterHealthOptions): Promise<{ port: number; stop: () => Promise<void> }> {
  const seen = new Map<number, { pid: number; report: HealthReport; at: number }>();
  const onMessage = (w: Worker, m: unknown): void => {
    const msg = m as Partial<HealthMessage> | null;
    if (msg?.type !== HEALTH_MESSAGE || msg.report === undefined) return;
    seen.set(w.id, { pid: w.process.pid ?? 0, report: msg.report, at: Date.now() });
  };
  const onExit = (w: Worker): void => { seen.delete(w.id); };
  const view = (): HealthView => {
    const now = Date.now();
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const processes: ProcessHealth[] = alive.map((w) => {
      const s = seen.get(w.id);
      // A process that has not reported yet is starting: its age counts from now, not from the epoch.
      return { pid: w.process.pid ?? 0, report: s?.report, beatAgeMs: s === undefined ? 0 : now - s.at };
    });
    return clusterHealthView(processes, o.expected, o.stallMs);
  };
  const server: Server = await listenHealth(healthRequestListener(view), o.port, o.host);
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return {
    port: listeningPort(server),
    stop: () => new Promise<void>((resolve) => {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
