import { inject, injectAll, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import { namedRows } from '../features/named-rows.js';
import { Tokens } from '../tokens.js';
import type { PredictionRecord, PredictionSink } from './prediction-sink.js';

const DEFAULT_CAPACITY = 10_000;
const DEFAULT_MAX_BATCH = 256;
/** A failing sink is logged at most this often. */
const LOG_EVERY_MS = 60_000;

/** Counters of one sink, as `stats()` reports them. */
export interface SinkStats {
  readonly sink: string;
  /** Records waiting. */
  readonly queued: number;
  /** Records handed to `write` that resolved. */
  readonly written: number;
  /** Records dropped because the queue was full. */
  readonly dropped: number;
  /** Records in `write` calls that threw. */
  readonly failed: number;
}

class SinkQueue {
  readonly capacity: number;
  readonly maxBatch: number;
  records: PredictionRecord[] = [];
  writing = false;
  /** The write in progress, for `settle`. */
  current: Promise<void> | undefined;
  written = 0;
  dropped = 0;
  failed = 0;
  lastLoggedAt = -Infinity;

  constructor(readonly sink: PredictionSink) {
    this.capacity = Math.max(1, sink.capacity ?? DEFAULT_CAPACITY);
    this.maxBatch = Math.max(1, sink.maxBatch ?? DEFAULT_MAX_BATCH);
  }
}

/**
 * The after-response hand-off: `offer` puts a record in every sink's bounded
 * queue (or counts it dropped) and returns at once; the queues drain on a
 * later turn of the event loop, after the answer has been written, one
 * `write` call per sink at a time. Named features are computed there too,
 * once per record, so the request path pays only for the push.
 *
 * @example
 * ```ts
 * hub.offer(record);          // in the pipeline, after encode
 * await hub.stop(10_000);     // on shutdown: drain, then flush every sink
 * ```
 */
@injectable()
export class SinkHub {
  private readonly queues: SinkQueue[];
  private scheduled = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    @injectAll(Tokens.PredictionSink, { isOptional: true }) sinks: readonly PredictionSink[],
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {
    this.queues = sinks.map((s) => new SinkQueue(s));
  }

  /** Whether any sink is registered (the pipeline builds no record otherwise). */
  get active(): boolean {
    return this.queues.length > 0 && !this.stopped;
  }

  /** Hands a record to every sink; never blocks, never throws. */
  offer(record: PredictionRecord): void {
    for (const q of this.queues) {
      if (q.records.length < q.capacity) q.records.push(record);
      else {
        q.dropped++;
        try {
          q.sink.onDrop?.(record);
        } catch {
          // a sink's own bookkeeping cannot fail the request
        }
      }
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drainSoon);
    }
  }

  stats(): SinkStats[] {
    return this.queues.map((q) => ({ sink: q.sink.name, queued: q.records.length, written: q.written, dropped: q.dropped, failed: q.failed }));
  }

  private readonly drainSoon = (): void => {
    this.scheduled = false;
    for (const q of this.queues) this.writeIfIdle(q);
    this.notifyIfIdle();
  };

  private writeIfIdle(q: SinkQueue): void {
    if (!q.writing && q.records.length > 0) void this.write(q);
  }

  /**
   * Writes what waits for the sink named `name` now, then has it flush what
   * it buffers itself, and resolves once that is done: so a caller that just
   * got a prediction id can find it in the log (the feedback route does,
   * before it calls an id unknown).
   */
  async settle(name: string): Promise<void> {
    const q = this.queues.find((x) => x.sink.name === name);
    if (q === undefined) return;
    // Records offered after this call need not wait: at most the batches queued now, plus the one being written.
    for (let rounds = Math.ceil(q.records.length / q.maxBatch) + 1; rounds > 0 && (q.writing || q.records.length > 0); rounds--) {
      if (!q.writing) void this.write(q);
      await q.current;
    }
    await q.sink.flush?.();
  }

  private write(q: SinkQueue): Promise<void> {
    q.current = this.writeBatch(q);
    return q.current;
  }

  private async writeBatch(q: SinkQueue): Promise<void> {
    q.writing = true;
    const batch = q.records.length <= q.maxBatch ? q.records : q.records.slice(0, q.maxBatch);
    q.records = batch === q.records ? [] : q.records.slice(q.maxBatch);
    if (q.sink.wantsFeatures !== false) for (const r of batch) if (r.features === undefined) r.features = namedFeatures(r);
    try {
      await q.sink.write(batch);
      q.written += batch.length;
    } catch (e) {
      q.failed += batch.length;
      const now = performance.now();
      if (now - q.lastLoggedAt >= LOG_EVERY_MS) {
        q.lastLoggedAt = now;
        this.logger.error({ sink: q.sink.name, err: e, failed: q.failed, dropped: q.dropped }, 'prediction sink failed to write');
      }
    } finally {
      q.writing = false;
    }
    this.writeIfIdle(q);
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || this.queues.some((q) => q.writing || q.records.length > 0)) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Stops taking records, waits (at most `timeoutMs`) for every queue to be
   * written, then flushes every sink. Returns whether everything was written.
   * Idempotent.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopped = true;
    for (const q of this.queues) this.writeIfIdle(q);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((r) => { this.idleWaiters.push(() => r(true)); this.notifyIfIdle(); }),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), timeoutMs); }),
    ]);
    clearTimeout(timer);
    if (!drained) this.logger.warn({ sinks: this.stats().filter((s) => s.queued > 0) }, 'shutdown timeout reached with prediction records unwritten');
    for (const q of this.queues) {
      try {
        await q.sink.flush?.();
      } catch (e) {
        this.logger.error({ sink: q.sink.name, err: e }, 'prediction sink failed to flush');
      }
    }
    return drained;
  }
}

/**
 * A record's inputs as rows of named features, the model's `logging.redact`
 * features dropped (no sink sees them); undefined for a model without
 * feature names (the tensors stay the record).
 */
export function namedFeatures(r: PredictionRecord): Array<Record<string, unknown>> | undefined {
  try {
    const rows = namedRows(r.inputs, r.model.config, r.model.signature);
    if (rows === undefined) return undefined;
    const redact = r.model.config.logging.redact;
    if (redact.length > 0) for (const row of rows) for (const name of redact) delete row[name];
    return rows;
  } catch {
    // A layout the named API cannot read.
    return undefined;
  }
}
