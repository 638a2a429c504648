// Runs one ONNX Runtime session on a worker thread, so inference never blocks
// the event loop that parses requests and answers health checks.
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { Tensor } from '@ponte/core';
import { fromOrt, signatureOf, toOrt } from './tensor-convert.js';
import type { FromWorker, ToWorker, WireTensor, WorkerInit } from './worker-protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

try {
  const session = await InferenceSession.create(init.file, init.sessionOptions as InferenceSession.SessionOptions);
  post({ kind: 'ready', signature: signatureOf(session) });
  port.on('message', (msg: ToWorker | 'close') => {
    if (msg === 'close') {
      void session.release().finally(() => port.close());
      return;
    }
    void (async () => {
      try {
        const feeds: Record<string, OrtTensor> = {};
        for (const t of msg.inputs) feeds[t.name] = toOrt(t as Tensor);
        const out = await session.run(feeds, msg.outputs);
        const outputs: WireTensor[] = [];
        const transfer: ArrayBuffer[] = [];
        for (const n of msg.outputs) {
          const t = fromOrt(n, out[n]!);
          outputs.push(t as WireTensor);
          if (!Array.isArray(t.data)) transfer.push(t.data.buffer as ArrayBuffer);
        }
        post({ kind: 'result', id: msg.id, outputs }, transfer);
      } catch (e) {
        post({ kind: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
} catch (e) {
  post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
