// The health listener's thread: answers liveness and readiness from the last
// report the main thread sent and the age of its last beat, so probes are
// answered at once however busy (or stuck) the main thread's event loop is.
import { parentPort, workerData } from 'node:worker_threads';
import { healthRequestListener, listenHealth, listeningPort } from './health-listener.js';
import type { FromHealthThread, HealthThreadInit, ToHealthThread } from './health-thread-protocol.js';
import type { HealthReport } from './health-report.js';
import { threadHealthView, type HealthView } from './health-view.js';

const init = workerData as HealthThreadInit;
const port = parentPort!;
const beat = new BigInt64Array(init.beat);
let report: HealthReport | undefined;
const post = (m: FromHealthThread): void => port.postMessage(m);

const view = (): HealthView =>
  threadHealthView({ pid: init.pid, report, beatAgeMs: Date.now() - Number(Atomics.load(beat, 0)) }, init.stallMs);

listenHealth(healthRequestListener(view), init.port, init.host).then((server) => {
  port.on('message', (m: ToHealthThread) => {
    if (m.type === 'report') report = m.report;
    else {
      server.close(() => post({ type: 'closed' }));
      server.closeAllConnections();
    }
  });
  post({ type: 'listening', port: listeningPort(server) });
}, (e: unknown) => post({ type: 'error', message: (e as Error).message }));
