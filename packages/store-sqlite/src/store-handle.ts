import { PonteError, type DocumentQuery, type FeedbackItem, type FeedbackResult, type PredictionPage, type PredictionQuery, type PredictionSegment, type PredictionStore, type RetentionPolicy, type SegmentBatch, type SegmentQuery, type StoredDocument, type StoredPrediction } from '@ponte/core';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The store the plugin registers: `register` must provide the token
 * synchronously, but the file is opened in `start()`. Calls go to the open
 * store; before `start()` or after `stop()` they reject with a message that
 * says which.
 *
 * @example
 * ```ts
 * const handle = new StoreHandle();
 * ctx.provide(Tokens.PredictionStore, handle);
 * // start(): handle.attach(await SqliteStore.open(file)); stop(): handle.detach()
 * ```
 */
export class StoreHandle implements PredictionStore {
  readonly name = 'sqlite';
  #store: SqliteStore | undefined;
  #stopped = false;

  attach(store: SqliteStore): void {
    this.#store = store;
    this.#stopped = false;
  }

  /** Forgets the store and returns it (for closing); later calls reject as stopped. */
  detach(): SqliteStore | undefined {
    const store = this.#store;
    this.#store = undefined;
    this.#stopped = true;
    return store;
  }

  async append(records: readonly StoredPrediction[]): Promise<void> {
    return this.#open().append(records);
  }

  async appendSegments(segments: readonly PredictionSegment[]): Promise<void> {
    return this.#open().appendSegments(segments);
  }

  async appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]> {
    return this.#open().appendFeedback(model, items);
  }

  async get(model: string, id: string): Promise<(StoredPrediction & { readonly feedback?: FeedbackItem }) | undefined> {
    return this.#open().get(model, id);
  }

  async query(query: PredictionQuery): Promise<PredictionPage> {
    return this.#open().query(query);
  }

  async readSegments(query: SegmentQuery): Promise<SegmentBatch> {
    return this.#open().readSegments(query);
  }

  async prune(policy: RetentionPolicy): Promise<number> {
    return this.#open().prune(policy);
  }

  async putDocuments(docs: readonly StoredDocument[]): Promise<void> {
    return this.#open().putDocuments(docs);
  }

  async getDocument(kind: string, key: string): Promise<StoredDocument | undefined> {
    return this.#open().getDocument(kind, key);
  }

  async listDocuments(query: DocumentQuery): Promise<StoredDocument[]> {
    return this.#open().listDocuments(query);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#open().acquireLease(name, owner, ttlMs);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    return this.#open().releaseLease(name, owner);
  }

  #open(): SqliteStore {
    if (this.#store !== undefined) return this.#store;
    if (this.#stopped) throw new PonteError('PONTE_SHUTTING_DOWN', '@ponte/store-sqlite: the prediction store is stopped');
    throw new PonteError('PONTE_INTERNAL', '@ponte/store-sqlite: the prediction store is used before the server started it (resolve it in start() or in a handler)');
  }
}
