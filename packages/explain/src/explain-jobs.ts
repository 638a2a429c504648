import { randomUUID } from 'node:crypto';
import { PonteError } from '@ponte/core';

export type JobStatus = 'pending' | 'done' | 'failed';

/** One explanation answered later: its answer is kept as JSON text until it is read or expires. */
export interface ExplainJob {
  readonly id: string;
  readonly model: string;
  readonly created: number;
  status: JobStatus;
  /** The answer's JSON text, once done. */
  body?: string;
  error?: { code: string; message: string };
}

export interface ExplainJobsOptions {
  /** Jobs kept at once (pending and finished). */
  readonly maxJobs: number;
  /** A job is forgotten this long after it was created. */
  readonly ttlMs: number;
  /** Bytes of finished answers kept at once; the oldest finished jobs go first. */
  readonly maxBytes: number;
}

/**
 * The explanation jobs of one server, bounded in number, age and memory:
 * a new job evicts the oldest finished one when the table is full, and is
 * refused (429) when every job in it is still pending.
 */
export class ExplainJobs {
  private readonly jobs = new Map<string, ExplainJob>();
  private bytes = 0;

  constructor(private readonly options: ExplainJobsOptions) {}

  /** Starts a job: `work` runs now (it waits for its own slot) and its answer is kept. */
  start(model: string, work: () => Promise<string>): ExplainJob {
    this.expire();
    if (this.jobs.size >= this.options.maxJobs && !this.evictOldestFinished()) {
      throw new PonteError('PONTE_RATE_LIMITED', `explanation jobs: ${this.options.maxJobs} are pending; retry later`, { headers: { 'Retry-After': '5' } });
    }
    const job: ExplainJob = { id: randomUUID(), model, created: Date.now(), status: 'pending' };
    this.jobs.set(job.id, job);
    work().then((body) => {
      if (!this.jobs.has(job.id)) return;
      const size = Buffer.byteLength(body);
      while (this.bytes + size > this.options.maxBytes && this.evictOldestFinished());
      if (size > this.options.maxBytes) {
        job.status = 'failed';
        job.error = { code: 'PONTE_BAD_REQUEST', message: `the answer (${size} bytes) exceeds the jobs' memory bound (${this.options.maxBytes} bytes): explain fewer rows per request` };
        return;
      }
      job.body = body;
      job.status = 'done';
      this.bytes += size;
    }, (e: unknown) => {
      job.status = 'failed';
      const pe = e instanceof PonteError ? e : undefined;
      job.error = pe !== undefined && pe.status < 500 ? { code: pe.code, message: pe.message } : { code: pe?.code ?? 'PONTE_INTERNAL', message: 'the explanation failed (see the server log)' };
    });
    return job;
  }

  /** A job of this model, or undefined when unknown, expired or of another model. */
  get(model: string, id: string): ExplainJob | undefined {
    this.expire();
    const job = this.jobs.get(id);
    return job !== undefined && job.model === model ? job : undefined;
  }

  get size(): number {
    return this.jobs.size;
  }

  private expire(): void {
    const cutoff = Date.now() - this.options.ttlMs;
    for (const job of this.jobs.values()) if (job.created < cutoff) this.remove(job);
  }

  private evictOldestFinished(): boolean {
    for (const job of this.jobs.values()) {
      if (job.status !== 'pending') {
        this.remove(job);
        return true;
      }
    }
    return false;
  }

  private remove(job: ExplainJob): void {
    this.jobs.delete(job.id);
    if (job.body !== undefined) this.bytes -= Buffer.byteLength(job.body);
  }
}
