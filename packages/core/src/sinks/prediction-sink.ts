import type { ModelView } from '../extension-points.js';
import type { Protocol } from '../inference.js';
import type { Parameter, Tensor } from '../tensor.js';

/** One answered prediction request, as sinks receive it after the answer has gone. */
export interface PredictionRecord {
  readonly requestId: string;
  /** The prediction log's id for this prediction, when it is logged (returned to the caller). */
  readonly predictionId?: string;
  /** When the request arrived, epoch milliseconds. */
  readonly time: number;
  readonly protocol: Protocol;
  readonly endpoint: string;
  /** The authenticated principal's id (`anonymous` without auth); never a credential. */
  readonly principal: string;
  /** The caller's W3C `traceparent`, when it sent one. */
  readonly traceparent?: string;
  /** The version that answered (a plain view: serialisable). */
  readonly model: ModelView;
  /** The inputs as the model saw them (after preprocessing). */
  readonly inputs: readonly Tensor[];
  /**
   * The same inputs as rows of named features, when the model has feature
   * names (configured, or one input per feature), the model's
   * `logging.redact` features dropped; filled in by core off the request
   * path, before the first sink sees the record.
   */
  features?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly outputs: readonly Tensor[];
  readonly parameters?: Readonly<Record<string, Parameter>>;
  /** Milliseconds: the whole request, waiting in the batch queue, running the model. */
  readonly timings: { readonly totalMs: number; readonly queueMs: number; readonly runMs: number };
}

/**
 * Receives every answered prediction after its answer has been sent
 * (prediction log, monitoring, shadow traffic, sampled explanations). Core
 * hands records over through a bounded queue per sink and calls `write` with
 * batches, one call at a time; a sink can never slow or fail an answer. When
 * its queue is full, new records are dropped and counted
 * (`SinkHub.stats()`, exported as `ponte_sink_records_dropped_total{sink}`); a `write`
 * that throws is counted as failed and logged. On shutdown core drains every
 * queue (within `server.shutdownTimeoutMs`), then calls `flush`.
 *
 * @example
 * ```ts
 * const audit: PredictionSink = { name: 'audit', write: async (records) => { await appendFile('audit.jsonl', records.map((r) => JSON.stringify({ id: r.requestId })).join('\n') + '\n'); } };
 * ```
 */
export interface PredictionSink {
  readonly name: string;
  /** Most records waiting for this sink; beyond it new ones are dropped (default 10,000). */
  readonly capacity?: number;
  /** Most records per `write` call (default 256). */
  readonly maxBatch?: number;
  /**
   * Whether this sink reads `features` (default true). When no sink does,
   * core does not build them (an object per row); a sink that sets false and
   * wants names after all calls `namedFeatures(record)`.
   */
  readonly wantsFeatures?: boolean;
  write(records: readonly PredictionRecord[]): void | Promise<void>;
  /** Told of each record dropped because this sink's queue was full (for counts of its own). */
  onDrop?(record: PredictionRecord): void;
  /** Called on shutdown once the queue is empty, and by `SinkHub.settle`: persist what the sink buffers itself. */
  flush?(): void | Promise<void>;
}
