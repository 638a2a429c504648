import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry, type RegistryContentType } from 'prom-client';

const REQUEST = 'ponte:metrics-request';
const RESPONSE = 'ponte:metrics-response';

interface MetricsRequest { type: typeof REQUEST; id: string }
interface MetricsResponse { type: typeof RESPONSE; id: string; text?: string; error?: string }

/** True in a process forked by `ponte serve` with `server.processes` > 1. */
export function inCluster(): boolean {
  return cluster.isWorker && typeof process.send === 'function';
}

/**
 * In a cluster worker: offers this server's registry to the primary's
 * aggregation, so one scrape on the shared port sees every process.
 */
export function joinClusterMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's worker-side listener for the primary's requests.
  workerListener ??= new AggregatorRegistry();
}

let workerListener: AggregatorRegistry<RegistryContentType> | undefined;

/**
 * In a cluster worker: asks the primary for the metrics of every process,
 * summed (counters, histograms, in-flight) or combined as each gauge declares.
 */
export function clusterMetrics(timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => { process.off('message', onMessage); reject(new Error('the primary process did not answer the metrics request')); }, timeoutMs);
    const onMessage = (m: unknown): void => {
      const msg = m as Partial<MetricsResponse> | null;
      if (msg?.type !== RESPONSE || msg.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (msg.error !== undefined || msg.text === undefined) reject(new Error(msg.error ?? 'empty metrics'));
      else resolve(msg.text);
    };
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

/**
 * In the cluster primary: answers workers' metrics requests with the
 * aggregate of all workers (prom-client's AggregatorRegistry). Returns a
 * function that stops answering.
 */
export function serveClusterMetrics(): () => void {
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: Worker, m: unknown): void => {
    const msg = m as Partial<MetricsRequest> | null;
    if (msg?.type !== REQUEST || typeof msg.id !== 'string') return;
    const id = msg.id;
    aggregator.clusterMetrics().then(
      (text) => { if (worker.isConnected()) worker.send({ type: RESPONSE, id, text } satisfies MetricsResponse); },
      (e: unknown) => { if (worker.isConnected()) worker.send({ type: RESPONSE, id, error: e instanceof Error ? e.message : String(e) } satisfies MetricsResponse); },
    );
  };
  cluster.on('message', onMessage);
  return () => { cluster.off('message', onMessage); };
}
