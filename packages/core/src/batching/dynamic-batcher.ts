import { PonteError } from '../errors.js';
import type { BatchingConfig, LoadedModel, RunRequest } from '../model.js';
import { allocate, type Tensor, type TensorData } from '../tensor.js';
import type { ModelRunner, RunOptions, RunResult } from './model-runner.js';

interface Pending {
  request: RunRequest;
  rows: number;
  key: string;
  enqueuedAt: number;
  deadline: number | undefined;
  resolve(result: RunResult): void;
  reject(error: unknown): void;
}

/** Called after each dispatched batch, for metrics. */
export type BatchListener = (batchSize: number, queueDepth: number) => void;

/**
 * Triton-style dynamic batching for one model version. Requests whose inputs
 * agree on everything but the first dimension are concatenated along it, run
 * once, and the outputs are split back, so each caller gets exactly the rows
 * it sent. A batch leaves when an instance is free and either enough rows are
 * waiting (`maxBatchSize`, or a preferred size) or the oldest request has waited
 * `maxQueueDelayMicros`. With a delay of 0 the batch leaves on the next turn of
 * the event loop: whatever arrived meanwhile rides along, and a lone request at
 * low load waits for nothing.
 */
export class DynamicBatcher implements ModelRunner {
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private busy = 0;
  private readonly instances: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  private readonly preferred: number[];

  constructor(
    private readonly model: LoadedModel,
    private readonly config: BatchingConfig,
    private readonly onBatch?: BatchListener,
  ) {
    this.instances = Math.max(1, model.instances ?? 1);
    this.preferred = [...config.preferredBatchSizes].filter((n) => n <= config.maxBatchSize).sort((a, b) => b - a);
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get maxQueueSize(): number {
    return this.config.maxQueueSize;
  }

  /** Whether a new request would be refused now. */
  get full(): boolean {
    return this.queue.length >= this.config.maxQueueSize;
  }

  run(request: RunRequest, options?: RunOptions): Promise<RunResult> {
    if (this.draining) return Promise.reject(new PonteError('PONTE_SHUTTING_DOWN', 'server is shutting down'));
    if (this.full) return Promise.reject(queueFull(this.config.maxQueueSize));
    return new Promise<RunResult>((resolve, reject) => {
      const rows = request.inputs[0]?.shape[0] ?? 1;
      this.queue.push({ request, rows, key: batchKey(request), enqueuedAt: performance.now(), deadline: options?.deadline, resolve, reject });
      this.queuedRows += rows;
      this.schedule();
    });
  }

  drain(): Promise<void> {
    this.draining = true;
    if (this.queue.length === 0 && this.busy === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private schedule(): void {
    if (this.busy >= this.instances || this.queue.length === 0 || this.immediate !== undefined) return;
    const delayMs = this.config.maxQueueDelayMicros / 1000;
    const full = this.queuedRows >= this.config.maxBatchSize || (this.preferred.length > 0 && this.queuedRows >= this.preferred[0]!);
    const waited = performance.now() - this.queue[0]!.enqueuedAt;
    if (full || delayMs === 0 || waited >= delayMs || this.draining) {
      if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined; }
      this.immediate = setImmediate(() => { this.immediate = undefined; this.dispatch(); });
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => { this.timer = undefined; this.schedule(); }, Math.max(1, delayMs - waited));
    }
  }

  private takeBatch(): Pending[] {
    const now = performance.now();
    // Expired requests leave first, whatever their position.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i]!;
      if (p.deadline !== undefined && now > p.deadline) {
        this.queue.splice(i, 1);
        this.queuedRows -= p.rows;
        p.reject(new PonteError('PONTE_DEADLINE_EXCEEDED', `request deadline passed after ${(now - p.enqueuedAt).toFixed(1)} ms in the queue`));
      }
    }
    if (this.queue.length === 0) return [];
    const key = this.queue[0]!.key;
    const compatibleRows = this.queue.reduce((n, p) => (p.key === key ? n + p.rows : n), 0);
    let limit = Math.min(compatibleRows, this.config.maxBatchSize);
    const pref = this.preferred.find((n) => n <= limit);
    if (pref !== undefined) limit = pref;
    const batch: Pending[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const p = this.queue[i]!;
      if (p.key === key && (batch.length === 0 || rows + p.rows <= limit)) {
        batch.push(p);
        rows += p.rows;
        this.queue.splice(i, 1);
        this.queuedRows -= p.rows;
        if (rows >= limit) break;
      } else i++;
    }
    return batch;
  }

  private dispatch(): void {
    while (this.busy < this.instances && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.busy++;
      void this.execute(batch).finally(() => {
        this.busy--;
        if (this.queue.length > 0) this.schedule();
        else if (this.busy === 0) for (const f of this.idleWaiters.splice(0)) f();
      });
    }
  }

  private async execute(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const totalRows = batch.reduce((n, p) => n + p.rows, 0);
    try {
      const request = batch.length === 1 ? batch[0]!.request : concatRequests(batch.map((p) => p.request), totalRows);
      const outputs = await this.model.run(request);
      const runMs = performance.now() - started;
      this.onBatch?.(totalRows, this.queue.length);
      if (batch.length === 1) {
        const p = batch[0]!;
        p.resolve({ outputs, queueMs: started - p.enqueuedAt, runMs, batchSize: totalRows });
        return;
      }
      for (const o of outputs) {
        if (o.shape[0] !== totalRows) {
          throw new PonteError('PONTE_MODEL_RUN_FAILED', `output "${o.name}" has first dimension ${o.shape[0]} for a batch of ${totalRows} rows; disable batching for this model`);
        }
      }
      let offset = 0;
      for (const p of batch) {
        p.resolve({ outputs: outputs.map((o) => sliceRows(o, offset, p.rows, totalRows)), queueMs: started - p.enqueuedAt, runMs, batchSize: totalRows });
        offset += p.rows;
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

/** The answer to a request that finds the queue full: 429 with Retry-After. */
export function queueFull(maxQueueSize: number): PonteError {
  return new PonteError('PONTE_QUEUE_FULL', `queue of model is full (${maxQueueSize} requests waiting)`, { headers: { 'Retry-After': '1' } });
}

/** Requests batch together only when they differ in nothing but their first dimension. */
function batchKey(r: RunRequest): string {
  let k = '';
  for (const t of r.inputs) k += `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}|`;
  if (r.outputs !== undefined) k += `>${[...r.outputs].sort().join(',')}`;
  return k;
}

function concatRequests(requests: RunRequest[], totalRows: number): RunRequest {
  const first = requests[0]!;
  const inputs: Tensor[] = first.inputs.map((spec, idx) => {
    const rowSize = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const data = allocate(spec.datatype, totalRows * rowSize);
    let offset = 0;
    for (const r of requests) {
      const src = r.inputs[idx]!.data;
      if (Array.isArray(data)) {
        for (let i = 0; i < src.length; i++) data[offset + i] = (src as string[])[i]!;
      } else {
        (data as Exclude<TensorData, string[]> & { set(a: ArrayLike<number | bigint>, o: number): void }).set(src as ArrayLike<number | bigint>, offset);
      }
      offset += src.length;
    }
    return { name: spec.name, datatype: spec.datatype, shape: [totalRows, ...spec.shape.slice(1)], data };
  });
  const out: RunRequest = { inputs };
  if (first.outputs !== undefined) out.outputs = first.outputs;
  return out;
}

function sliceRows(t: Tensor, rowOffset: number, rows: number, totalRows: number): Tensor {
  const rowSize = totalRows === 0 ? 0 : t.data.length / totalRows;
  const start = rowOffset * rowSize;
  const end = start + rows * rowSize;
  const data = Array.isArray(t.data) ? t.data.slice(start, end) : (t.data as Exclude<TensorData, string[]>).subarray(start, end);
  return { name: t.name, datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data: data as TensorData };
}
