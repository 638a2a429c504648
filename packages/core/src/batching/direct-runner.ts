import { PonteError } from '../errors.js';
import type { LoadedModel, RunRequest } from '../model.js';
import type { ModelRunner, RunOptions, RunResult } from './model-runner.js';

/** Runs each request on its own: for models without a dynamic batch dimension or with batching off. */
export class DirectRunner implements ModelRunner {
  private running = 0;
  private idle: Array<() => void> = [];
  private draining = false;

  constructor(private readonly model: LoadedModel) {}

  get queueDepth(): number {
    return 0;
  }

  get full(): boolean {
    return false;
  }

  async run(request: RunRequest, options?: RunOptions): Promise<RunResult> {
    if (this.draining) throw new PonteError('PONTE_SHUTTING_DOWN', 'server is shutting down');
    if (options?.deadline !== undefined && performance.now() > options.deadline) {
      throw new PonteError('PONTE_DEADLINE_EXCEEDED', 'request deadline passed before the model ran');
    }
    this.running++;
    const t0 = performance.now();
    try {
      const outputs = await this.model.run(request);
      const rows = request.inputs[0]?.shape[0] ?? 1;
      return { outputs, queueMs: 0, runMs: performance.now() - t0, batchSize: rows };
    } finally {
      if (--this.running === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  drain(): Promise<void> {
    this.draining = true;
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }
}
