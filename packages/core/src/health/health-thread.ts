import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { HealthReport } from './health-report.js';
import type { FromHealthThread, HealthThreadInit, ToHealthThread } from './health-thread-protocol.js';

export interface HealthThreadOptions {
  host: string;
  /** 0 = an ephemeral port (tests). */
  port: number;
  stallMs: number;
  /** The process's health now; called on the main thread at every beat. */
  report: () => HealthReport;
  /** How often the main thread beats and sends a changed report; default 200 ms. */
  beatMs?: number;
  /** Told when the thread fails after it started (its port is then closed, so probes fail and the pod is restarted). */
  logger?: Logger;
}

/**
 * Liveness and readiness on a port of their own, answered by a worker thread.
 * A kubelet's probes then get an answer within milliseconds even when every
 * event-loop turn of the server is long under overload — while a stuck loop
 * still fails liveness, because the main thread's beat (an Atomics write each
 * `beatMs`, from a timer that only runs when the loop turns) goes stale.
 */
export class HealthThread {
  private readonly beat: BigInt64Array;
  private timer: NodeJS.Timeout | undefined;
  private lastReport = '';

  private constructor(private readonly worker: Worker, buffer: SharedArrayBuffer, private readonly report: () => HealthReport, readonly port: number) {
    this.beat = new BigInt64Array(buffer);
  }

  static async start(o: HealthThreadOptions): Promise<HealthThread> {
    const buffer = new SharedArrayBuffer(8);
    Atomics.store(new BigInt64Array(buffer), 0, BigInt(Date.now()));
    const init: HealthThreadInit = { host: o.host, port: o.port, stallMs: o.stallMs, beat: buffer, pid: process.pid };
    const worker = new Worker(new URL('./health-thread-worker.js', import.meta.url), { workerData: init, name: 'ponte-health' });
    const port = await new Promise<number>((resolve, reject) => {
      const onMessage = (m: FromHealthThread): void => {
        if (m.type === 'listening') resolve(m.port);
        else if (m.type === 'error') reject(new Error(m.message));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`health thread exited with code ${code} before listening`)));
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    // Without a listener, a failure in the thread would be rethrown here and end the server.
    worker.on('error', (e) => o.logger?.error({ err: e }, 'health thread failed; the health port is closed'));
    const t = new HealthThread(worker, buffer, o.report, port);
    t.pulse();
    t.timer = setInterval(() => t.pulse(), o.beatMs ?? 200);
    t.timer.unref();
    worker.unref();
    return t;
  }

  /** Beats now and sends the report if it changed; call after a state change so probes see it at once. */
  pulse(): void {
    Atomics.store(this.beat, 0, BigInt(Date.now()));
    const report = this.report();
    const text = JSON.stringify(report);
    if (text === this.lastReport) return;
    this.lastReport = text;
    this.worker.postMessage({ type: 'report', report } satisfies ToHealthThread);
  }

  /** Closes the listener and ends the thread. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.pulse();
    this.worker.ref(); // an unref'd worker's messages would not keep this process waiting for 'closed'
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<void>((resolve) => {
      this.worker.on('message', (m: FromHealthThread) => { if (m.type === 'closed') resolve(); });
      timer = setTimeout(resolve, 1000);
    });
    this.worker.postMessage({ type: 'close' } satisfies ToHealthThread);
    await closed;
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
