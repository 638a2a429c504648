import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { ModelView } from '../extension-points.js';
import { featureMatrix } from '../features/named-rows.js';
import type { PredictionRecord, PredictionSink } from '../sinks/prediction-sink.js';
import { namedFeatures } from '../sinks/sink-hub.js';
import { Tokens } from '../tokens.js';
import type { PredictionStore } from './prediction-store.js';
import { decodeSegment, SEGMENT_MAX_RECORDS, SegmentBuilder, type EncodablePrediction, type PredictionSegment } from './prediction-segment.js';
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

/** The longest a logged prediction waits in an open segment before it is appended. */
const MAX_DELAY_MS = 200;

/** `00-<trace id>-<span id>-<flags>` → the trace id. */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = traceparent === undefined ? null : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  return m === null ? undefined : m[1];
}

/**
 * The prediction log: decides per request whether its prediction is logged
 * (the model's `logging.predictions` and `sampleRate`) and gives it an id,
 * then, as an after-response sink, turns answered predictions into stored
 * records (the hub has dropped redacted features), **encodes them at once**
 * into the open segment of their model version (so what waits is bytes, not
 * objects that would live long enough to burden the garbage collector), and
 * appends what waits to the configured `PredictionStore` once its oldest
 * record has waited `MAX_DELAY_MS`: every segment in one append (one commit,
 * one fsync: on a one-core server each commit's fsync costs about 1 ms of
 * CPU, so committing each 1,024-record segment as it filled cost ~3 times
 * more at saturation), one append at a time. A store that is slow or down never reaches the caller: beyond
 * `capacity` records waiting to be stored, new ones are dropped; those and
 * what the store refuses are counted by model and reason and logged at most
 * once a minute. Core registers it when a plugin provides a `PredictionStore`.
 *
 * @example
 * ```ts
 * const id = log.idFor(model); // undefined when this request is not logged
 * ```
 */
@injectable()
export class PredictionLog implements PredictionSink {
  readonly name = PREDICTION_LOG_SINK;
  /** Records encoded and not yet stored, at most; the hub's queue before them holds this many too. */
  readonly capacity = 20_000;
  readonly maxBatch = SEGMENT_MAX_RECORDS;
  /** It reads features from the input matrix itself (no object per row) when the model has one. */
  readonly wantsFeatures = false;
  /** The segment being filled per model version; its builder (and its grown buffers) is kept from segment to segment. */
  private readonly open = new Map<string, SegmentBuilder>();
  /** Full segments waiting for the next append. */
  private readonly ready: PredictionSegment[] = [];
  /** Records in `open` and `ready`: not yet handed to the store. */
  private unshipped = 0;
  /** Records handed over or waiting, not yet stored (or counted as failed): bounded by `capacity`. */
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private appending: Promise<void> = Promise.resolve();
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

  write(records: readonly PredictionRecord[]): void {
    for (const r of records) {
      const id = r.predictionId;
      if (id === undefined) continue;
      if (this.waiting >= this.capacity) {
        this.count(r.model.name, 'queue_full', 1);
        this.warn(undefined);
        continue;
      }
      const row = this.stored(r, id);
      const key = `${row.model}\u0000${row.version}`;
      let b = this.open.get(key);
      if (b === undefined) {
        b = new SegmentBuilder(row.model, row.version);
        this.open.set(key, b);
      }
      try {
        if (!b.add(row)) {
          this.ready.push(b.finish());
          b.add(row);
        }
      } catch (e) {
        // Not encodable (an id that is not a UUID cannot come from idFor): counted, never thrown at the hub.
        this.count(row.model, 'store_error', 1);
        this.warn(e);
        continue;
      }
      this.waiting++;
      if (this.unshipped++ === 0) this.schedule();
      if (b.count >= SEGMENT_MAX_RECORDS) this.ready.push(b.finish());
    }
  }

  onDrop(record: PredictionRecord): void {
    if (record.predictionId === undefined) return;
    this.count(record.model.name, 'queue_full', 1);
    this.warn(undefined);
  }

  /** Appends everything waiting now, and resolves once everything handed over so far is stored (or counted as failed). */
  async flush(): Promise<void> {
    this.ship();
    await this.appending;
  }

  /** Every (model, reason) that dropped predictions, with its count since start. */
  dropStats(): PredictionDrops[] {
    return [...this.drops.values()].map((d) => ({ ...d }));
  }

  /** Appends what waits `MAX_DELAY_MS` after the first of it came. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ship();
    }, MAX_DELAY_MS);
    this.timer.unref();
  }

  /** Queues one append of every full and open segment behind the ones before it. Open segments keep their builders, and with them their grown buffers. */
  private ship(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const b of this.open.values()) if (b.count > 0) this.ready.push(b.finish());
    if (this.ready.length === 0) return;
    const segments = this.ready.splice(0);
    this.unshipped = 0;
    this.appending = this.appending.then(async () => {
      try {
        if (this.store.appendSegments !== undefined) await this.store.appendSegments(segments);
        else await this.store.append(segments.flatMap((s) => decodeSegment(s.bytes)));
      } catch (e) {
        for (const s of segments) this.count(s.model, 'store_error', s.count);
        this.warn(e);
      } finally {
        for (const s of segments) this.waiting -= s.count;
      }
    });
  }

  /** The record as a segment encodes it: the model's tensors as they are (typed arrays are encoded without a copy). */
  private stored(r: PredictionRecord, id: string): EncodablePrediction {
    // One literal, fields added in place: spreads cost more than the rest of the conversion (measured: 3.7 → ~1 µs a record).
    const out: { -readonly [K in keyof EncodablePrediction]: EncodablePrediction[K] } = {
      id,
      time: Math.round(r.time),
      model: r.model.name,
      version: r.model.version,
      requestId: r.requestId,
      principal: r.principal,
      protocol: r.protocol,
      endpoint: r.endpoint,
      outputs: r.outputs,
      latencyMs: Math.round(r.timings.totalMs * 1000) / 1000,
    };
    const traceId = traceIdOf(r.traceparent);
    if (traceId !== undefined) out.traceId = traceId;
    const model = r.model;
    const features = r.features ?? featureMatrix(r.inputs, model.config, model.signature, model.config.logging.redact) ?? namedFeatures(r);
    if (features === undefined) out.inputs = r.inputs;
    else out.features = features;
    return out;
  }

  private count(model: string, reason: PredictionDropReason, n: number): void {
    const key = `${model}\u0000${reason}`;
    const d = this.drops.get(key);
    if (d === undefined) this.drops.set(key, { model, reason, count: n });
    else d.count += n;
    this.unreported += n;
  }

  private warn(err: unknown): void {
    const now = performance.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ dropped: this.unreported, drops: this.dropStats(), ...(err !== undefined ? { err } : {}) }, 'predictions not logged (the answers were not affected)');
    this.unreported = 0;
  }
}
