import type { DataType } from '../tensor.js';
import type { PredictionSegment } from './prediction-segment.js';

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

/**
 * A read of one model's stored segments (`PredictionStore.readSegments`),
 * for readers that decode only the fields they need (`SegmentView`).
 */
export interface SegmentQuery {
  readonly model: string;
  readonly version?: string;
  /** Only segments whose newest record is at or after this time, epoch milliseconds. */
  readonly since?: number;
  /** Only segments whose oldest record is before this time, epoch milliseconds. */
  readonly until?: number;
  /** At most this many segments (a store may return fewer, and caps it at 100). */
  readonly limit: number;
  /** The `cursor` of the previous batch: continues after it. */
  readonly cursor?: string;
}

export interface SegmentBatch {
  /** Segment bodies (`PredictionSegment.bytes`), in ascending order of their oldest record's time: no later batch holds a segment that starts earlier than the last one here. */
  readonly segments: readonly Uint8Array[];
  /** Present when more segments may follow: pass it back as `cursor`. */
  readonly cursor?: string;
}

export interface PredictionPage {
  readonly items: ReadonlyArray<StoredPrediction & { readonly feedback?: FeedbackItem }>;
  /** Present when more items follow: pass it back as `cursor`. */
  readonly cursor?: string;
}

/** A JSON value: what `JSON.parse` returns (non-finite numbers are written as `null`, as `JSON.stringify` does). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A small JSON document kept beside the log: a monitoring window's report, a
 * job's cursor, an alert. Identified by `(kind, key)`; `kind` and `key` are
 * 1 to 256 characters (no NUL, no lone surrogate), and keys of one kind are
 * listed in descending binary (UTF-8 byte) order, so a key that starts with a
 * fixed-width time (`purchase/2026-01-10T12:00Z`) lists newest first.
 */
export interface StoredDocument {
  readonly kind: string;
  readonly key: string;
  /** Small: meant for kilobytes, read and written whole. Objects come back equal, not necessarily with their keys in the same order. */
  readonly body: JsonValue;
  /** Epoch milliseconds, set by the caller; retention prunes by it (`maxAgeDays`), so a document to keep is rewritten within that age. */
  readonly time: number;
}

/** One page of a kind's documents: newest key first, keys below `before` only, at most `limit` (capped at 1000). */
export interface DocumentQuery {
  readonly kind: string;
  /** Only keys that start with it. */
  readonly prefix?: string;
  readonly limit: number;
  /** Exclusive upper bound on the key: the last key of the previous page continues it. */
  readonly before?: string;
}

/** How much of the log to keep: predictions older than `maxAgeDays`, and beyond the newest `maxRows` of the whole log (every model), go; documents older than `maxAgeDays` too. */
export interface RetentionPolicy {
  readonly maxAgeDays?: number;
  readonly maxRows?: number;
}

/**
 * Where the prediction log lives: appends predictions and delayed labels,
 * reads them back by id and by model and time range, and prunes by age and
 * size. Beside the log it keeps small JSON documents (jobs' state, such as
 * the model monitor's windows and cursor) and leases (so one replica of many
 * runs a periodic job). A store creates and migrates its own schema when its plugin starts,
 * and must keep every record `append` resolved for through a crash.
 * `predictionStoreConformance` in `@ponte/testing` holds the tests every implementation passes.
 *
 * @example
 * ```ts
 * await store.append([record]);
 * const [result] = await store.appendFeedback('purchase', [{ id: record.id, label: 'yes' }]);
 * if (await store.acquireLease('monitor:close-window', replicaId, 60_000)) {
 *   await store.putDocuments([{ kind: 'monitor-window', key: 'purchase/2026-01-10T12:00Z', body: report, time: Date.now() }, { kind: 'monitor-cursor', key: 'purchase', body: '2026-01-10T12:00Z', time: Date.now() }]);
 * }
 * ```
 */
export interface PredictionStore {
  readonly name: string;
  append(records: readonly StoredPrediction[]): Promise<void>;
  /**
   * Appends records already encoded as segments (`SegmentBuilder`,
   * `toSegments` in `@ponte/core`): the prediction log encodes as records
   * arrive and hands over bytes. Optional: without it the log decodes them
   * and calls `append`. Same guarantees as `append`.
   */
  appendSegments?(segments: readonly PredictionSegment[]): Promise<void>;
  /** One result per item, in order; a duplicate label is not stored twice. */
  appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]>;
  get(model: string, id: string): Promise<(StoredPrediction & { readonly feedback?: FeedbackItem }) | undefined>;
  query(query: PredictionQuery): Promise<PredictionPage>;
  /**
   * The stored segments of a model's log, without decoding them, for
   * readers that read many records for a few fields (the model monitor reads
   * them with `SegmentView` and puts them in order with `SegmentMerge`).
   * Optional: such readers use `query` when a store has no segments.
   */
  readSegments?(query: SegmentQuery): Promise<SegmentBatch>;
  /** Deletes what the policy no longer keeps (documents by `maxAgeDays` too), in small steps; returns how many predictions went. */
  prune(policy: RetentionPolicy): Promise<number>;
  /**
   * Upserts documents by `(kind, key)`, all in one transaction: every one is
   * visible after, or (on any error) none. Within one call, a later document
   * with the same `(kind, key)` wins. A malformed document (kind or key
   * empty, over 256 characters, with NUL or a lone surrogate; a `time` that
   * is not finite; a body `JSON.stringify` cannot write) rejects the whole
   * call with `PONTE_BAD_REQUEST`, naming it.
   */
  putDocuments(docs: readonly StoredDocument[]): Promise<void>;
  getDocument(kind: string, key: string): Promise<StoredDocument | undefined>;
  listDocuments(query: DocumentQuery): Promise<StoredDocument[]>;
  /**
   * Takes or renews the lease `name` for `owner` until now + `ttlMs`: true when
   * `owner` holds it after the call. It is taken when free, expired, or
   * already `owner`'s. So that one of several processes or replicas runs a
   * periodic job: each calls it before a run, and only the one that gets true
   * runs. The holder must renew within `ttlMs` (and finish a run well within
   * it); after that another owner may take the lease. Stores on one backend
   * share one clock for leases (SQLite: the host's; PostgreSQL: the database's).
   * Name and owner are 1 to 256 characters; `ttlMs` is over 0 and at most
   * 2^31 - 1 (about 24.8 days), else `PONTE_BAD_REQUEST`.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives up the lease when `owner` holds it (another owner's call does nothing), so another may take it at once. */
  releaseLease(name: string, owner: string): Promise<void>;
}
