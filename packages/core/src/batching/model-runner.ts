import type { RunRequest } from '../model.js';
import type { Tensor } from '../tensor.js';

/** What one run through a runner cost, for metrics and tracing. */
export interface RunResult {
  outputs: Tensor[];
  /** Time spent waiting in the queue, milliseconds. */
  queueMs: number;
  /** Time the model took for the batch this request was part of, milliseconds. */
  runMs: number;
  /** Rows in that batch. */
  batchSize: number;
}

export interface RunOptions {
  /** Absolute deadline in `performance.now()` milliseconds. */
  deadline?: number;
}

/**
 * Runs requests on one model version: directly, or through the dynamic batcher.
 * The pipeline only sees this interface.
 */
export interface ModelRunner {
  run(request: RunRequest, options?: RunOptions): Promise<RunResult>;
  /** Requests waiting, not yet running. */
  readonly queueDepth: number;
  /** Whether a new request would be refused now (the admit stage checks it before reading a body). */
  readonly full: boolean;
  /** The queue bound `full` refers to, for the refusal's message. */
  readonly maxQueueSize?: number;
  /** Waits for queued and running work to finish, then refuses new work. */
  drain(): Promise<void>;
}
