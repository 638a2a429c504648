import type { DataType } from '../tensor.js';

/** A tensor as the prediction log keeps it: JSON values, row-major. */
export interface StoredTensor {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: readonly number[];
  readonly data: ReadonlyArray<number | boolean | string | null>;
}

/** One logged prediction (one request, all its rows). */
export interface StoredPrediction {
  /** UUIDv7: unique across processes and replicas, and roughly time-ordered; stores order and prune by `time`, not by id. */
  readonly id: string;
  /** Arrival time, epoch milliseconds. */
  readonly time: number;
  readonly model: string;
  readonly version: string;
  readonly requestId: string;
  /** W3C trace id, when the caller sent a `traceparent`. */
  readonly traceId?: string;
  /** The principal's id (`anonymous` without auth); never a credential. */
  readonly principal: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** The inputs as rows of named features, when the model has feature names. */
  readonly features?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The input tensors, when the model has no feature names. */
  readonly inputs?: readonly StoredTensor[];
  readonly outputs: readonly StoredTensor[];
  readonly latencyMs: number;
}

/** A delayed label for a logged prediction: `label` (classification) or `value` (regression). */
export interface FeedbackItem {
  readonly id: string;
  readonly label?: string | number | boolean;
  readonly value?: number;
  /** When the truth became known, epoch milliseconds; the store's clock when omitted. */
  readonly time?: number;
}

/** What happened to one feedback item: stored, already there (idempotent), or no such prediction of this model. */
export interface FeedbackResult {
  readonly id: string;
  readonly status: 'stored' | 'duplicate' | 'unknown_id';
}

/** A time-range read of one model's log, oldest first; `cursor` continues a previous page. */
export interface PredictionQuery {
  readonly model: string;
  readonly version?: string;
  /** Inclusive lower bound on `time`, epoch milliseconds. */
  readonly since?: number;
  /** Exclusive upper bound on `time`, epoch milliseconds. */
  readonly until?: number;
  readonly limit: number;
  readonly cursor?: string;
}

export interface PredictionPage {
  readonly items: ReadonlyArray<StoredPrediction & { readonly feedback?: FeedbackItem }>;
  /** Present when more items follow: pass it back as `cursor`. */
  readonly cursor?: string;
}

/** How much of the log to keep: predictions older than `maxAgeDays`, and beyond the newest `maxRows` of the whole log (every model), go. */
export interface RetentionPolicy {
  readonly maxAgeDays?: number;
  readonly maxRows?: number;
}

/**
 * Where the prediction log lives: appends predictions and delayed labels,
 * reads them back by id and by model and time range, and prunes by age and
 * size. A store creates and migrates its own schema when its plugin starts,
 * and must keep every record `append` resolved for through a crash.
 * `@ponte/core/conformance` holds the tests every implementation passes.
 *
 * @example
 * ```ts
 * await store.append([record]);
 * const [result] = await store.appendFeedback('purchase', [{ id: record.id, label: 'yes' }]);
 * ```
 */
export interface PredictionStore {
  readonly name: string;
  append(records: readonly StoredPrediction[]): Promise<void>;
  /** One result per item, in order; a duplicate label is not stored twice. */
  appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]>;
  get(model: string, id: string): Promise<(StoredPrediction & { readonly feedback?: FeedbackItem }) | undefined>;
  query(query: PredictionQuery): Promise<PredictionPage>;
  /** Deletes what the policy no longer keeps, in small steps; returns how many predictions went. */
  prune(policy: RetentionPolicy): Promise<number>;
}
