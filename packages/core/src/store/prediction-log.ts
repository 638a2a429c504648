import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { ModelView } from '../extension-points.js';
import type { PredictionRecord, PredictionSink } from '../sinks/prediction-sink.js';
import { tensorDataToJson } from '../tensor-bytes.js';
import type { Tensor } from '../tensor.js';
import { Tokens } from '../tokens.js';
import type { PredictionStore, StoredPrediction, StoredTensor } from './prediction-store.js';
import { SEGMENT_MAX_RECORDS } from './prediction-segment.js';
import { uuidV7 } from './uuid-v7.js';

/** Why a prediction did not reach the store: its queue was full, or the store refused the batch. */
export type PredictionDropReason = 'queue_full' | 'store_error';

/** Predictions of one model not logged for one reason, as `ponte_prediction_log_dropped_total` reports them. */
export interface PredictionDrops {
  readonly model: string;
  readonly reason: PredictionDropReason;
  readonly count: number;
}

/** The prediction log's name among the sinks (`SinkHub.settle(PREDICTION_LOG_SINK)` writes what it buffers). */
export const PREDICTION_LOG_SINK = 'prediction-log';

/** Drops are logged at most this often, with the counts since the last line. */
const WARN_EVERY_MS = 60_000;

function storedTensor(t: Tensor): StoredTensor {
  return { name: t.name, datatype: t.datatype, shape: t.shape, data: tensorDataToJson(t) };
}

/** `00-<trace id>-<span id>-<flags>` → the trace id. */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = traceparent === undefined ? null : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  return m === null ? undefined : m[1];
}

/**
 * The prediction log: decides per request whether its prediction is logged
 * (the model's `logging.predictions` and `sampleRate`) and gives it an id,
 * then, as an after-response sink, turns answered predictions into stored
 * records (the hub has dropped redacted features) and appends them to the configured
 * `PredictionStore` in batches. A store that is slow or down never reaches
 * the caller: what its bounded queue cannot hold, or what the store refuses,
 * is counted by model and reason and logged at most once a minute.
 * Core registers it when a plugin provides a `PredictionStore`.
 *
 * @example
 * ```ts
 * const id = log.idFor(model); // undefined when this request is not logged
 * ```
 */
@injectable()
export class PredictionLog implements PredictionSink {
  readonly name = PREDICTION_LOG_SINK;
  readonly capacity = 20_000;
  // One segment, one commit: a commit's fsync costs the server's core about 1 ms of CPU on the build VM
  // (3.5 µs a record in batches of 256), so batches are as large as a segment holds.
  readonly maxBatch = SEGMENT_MAX_RECORDS;
  // Under load a batch fills in tens of milliseconds; when idle, a record waits at most this long. One
  // commit per turn of the event loop (a few records each) cost more than the records' own writing.
  readonly maxDelayMs = 200;
  private readonly drops = new Map<string, { model: string; reason: PredictionDropReason; count: number }>();
  private unreported = 0;
  private lastWarnAt = -Infinity;

  constructor(
    @inject(Tokens.PredictionStore) private readonly store: PredictionStore,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  /** The prediction id of a request to this model, or undefined when this request is not logged. */
  idFor(model: ModelView): string | undefined {
    const l = model.config.logging;
    if (!l.predictions || l.sampleRate <= 0) return undefined;
    if (l.sampleRate < 1 && Math.random() >= l.sampleRate) return undefined;
    return uuidV7();
  }

  async write(records: readonly PredictionRecord[]): Promise<void> {
    const rows: StoredPrediction[] = [];
    for (const r of records) if (r.predictionId !== undefined) rows.push(this.stored(r, r.predictionId));
    if (rows.length === 0) return;
    try {
      await this.store.append(rows);
    } catch (e) {
      for (const row of rows) this.count(row.model, 'store_error');
      this.warn(e);
    }
  }

  onDrop(record: PredictionRecord): void {
    if (record.predictionId === undefined) return;
    this.count(record.model.name, 'queue_full');
    this.warn(undefined);
  }

  /** Every (model, reason) that dropped predictions, with its count since start. */
  dropStats(): PredictionDrops[] {
    return [...this.drops.values()].map((d) => ({ ...d }));
  }

  private stored(r: PredictionRecord, id: string): StoredPrediction {
    // One literal, fields added in place: spreads cost more than the rest of the conversion (measured: 3.7 → ~1 µs a record).
    const out: { -readonly [K in keyof StoredPrediction]: StoredPrediction[K] } = {
      id,
      time: Math.round(r.time),
      model: r.model.name,
      version: r.model.version,
      requestId: r.requestId,
      principal: r.principal,
      protocol: r.protocol,
      endpoint: r.endpoint,
      outputs: r.outputs.map(storedTensor),
      latencyMs: Math.round(r.timings.totalMs * 1000) / 1000,
    };
    const traceId = traceIdOf(r.traceparent);
    if (traceId !== undefined) out.traceId = traceId;
    if (r.features === undefined) out.inputs = r.inputs.map(storedTensor);
    else out.features = r.features;
    return out;
  }

  private count(model: string, reason: PredictionDropReason): void {
    const key = `${model}\u0000${reason}`;
    const d = this.drops.get(key);
    if (d === undefined) this.drops.set(key, { model, reason, count: 1 });
    else d.count++;
    this.unreported++;
  }

  private warn(err: unknown): void {
    const now = performance.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ dropped: this.unreported, drops: this.dropStats(), ...(err !== undefined ? { err } : {}) }, 'predictions not logged (the answers were not affected)');
    this.unreported = 0;
  }
}
