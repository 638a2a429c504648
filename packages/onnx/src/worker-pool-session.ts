import { Worker } from 'node:worker_threads';
import type { LoadedModel, ModelSignature, RunRequest, Tensor, TensorData } from '@ponte/core';
import type { InferenceSession } from 'onnxruntime-node';
import type { FromWorker, ToWorker, WireTensor } from './worker-protocol.js';

interface Slot {
  worker: Worker;
  busy: number;
}

interface Waiting {
  resolve(t: Tensor[]): void;
  reject(e: Error): void;
}

const WORKER_URL = new URL('./onnx-worker.js', import.meta.url);

/**
 * `instances` sessions of one model, each on its own worker thread. Inputs are
 * copied to the worker (they are small next to the model's work, and callers
 * may reuse them); outputs come back as transferred buffers, without a copy.
 * The dynamic batcher keeps at most `instances` batches in flight.
 */
export class WorkerPoolSession implements LoadedModel {
  readonly platform = 'onnx_onnxv1';
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  private constructor(private readonly slots: Slot[], readonly signature: ModelSignature) {
    for (const s of slots) {
      s.worker.on('message', (m: FromWorker) => this.onMessage(s, m));
      s.worker.on('error', (e) => this.failAll(e));
      s.worker.on('exit', (code) => { if (!this.closed) this.failAll(new Error(`ONNX worker exited with code ${code}`)); });
    }
  }

  get instances(): number {
    return this.slots.length;
  }

  static async create(file: string, options: InferenceSession.SessionOptions, instances: number): Promise<WorkerPoolSession> {
    const started = await Promise.allSettled(Array.from({ length: instances }, () => startWorker(file, options)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.worker.terminate() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const ok = started.map((r) => (r as PromiseFulfilledResult<{ worker: Worker; signature: ModelSignature }>).value);
    return new WorkerPoolSession(ok.map((o) => ({ worker: o.worker, busy: 0 })), ok[0]!.signature);
  }

  run(request: RunRequest): Promise<Tensor[]> {
    if (this.closed) return Promise.reject(new Error('model is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const id = this.nextId++;
    slot.busy++;
    const msg: ToWorker = { id, inputs: request.inputs as WireTensor[], outputs: request.outputs ?? this.signature.outputs.map((o) => o.name) };
    return new Promise<Tensor[]>((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (t) => { slot.busy--; resolve(t); },
        reject: (e) => { slot.busy--; reject(e); },
      });
      slot.worker.postMessage(msg);
    });
  }

  private onMessage(_slot: Slot, m: FromWorker): void {
    if (m.kind !== 'result' && m.kind !== 'error') return;
    const w = this.waiting.get(m.id);
    if (w === undefined) return;
    this.waiting.delete(m.id);
    if (m.kind === 'error') w.reject(new Error(m.message));
    else w.resolve(m.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: o.data as TensorData })));
  }

  private failAll(e: Error): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      const t = setTimeout(() => void s.worker.terminate().then(() => resolve()), 2000);
      s.worker.once('exit', () => { clearTimeout(t); resolve(); });
      s.worker.postMessage('close');
    })));
    this.failAll(new Error('model is closed'));
  }
}

function startWorker(file: string, options: InferenceSession.SessionOptions): Promise<{ worker: Worker; signature: ModelSignature }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: { file, sessionOptions: options } });
    const onMessage = (m: FromWorker): void => {
      worker.off('error', onError);
      worker.off('message', onMessage);
      if (m.kind === 'ready') resolve({ worker, signature: m.signature });
      else {
        void worker.terminate();
        reject(new Error(m.kind === 'failed' ? m.message : 'unexpected message from ONNX worker'));
      }
    };
    const onError = (e: Error): void => reject(e);
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
}
