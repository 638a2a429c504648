import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkLease, documentPageLimit, documentRow, nameProblem, PonteError, type DocumentQuery, type FeedbackItem, type FeedbackResult, type PredictionPage, type PredictionQuery, type PredictionStore, type RetentionPolicy, type StoredDocument, type StoredPrediction } from '@ponte/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { documentFromRow } from './documents.js';
import { migrate } from './migrations.js';
import { fromRow, PREDICTION_COLUMNS, SELECT_WITH_FEEDBACK, toRow, type PredictionRow } from './rows.js';

/** How `SqliteStore.open` opens its file. */
export interface SqliteStoreOptions {
  /**
   * How long a write waits for another connection (another process, a prune)
   * to release the file's write lock before failing with SQLITE_BUSY. The wait
   * blocks this thread (better-sqlite3 is synchronous), but write transactions
   * last milliseconds, so waits are short. Default 5000.
   */
  readonly busyTimeoutMs?: number;
  /**
   * `full` (default): every committed batch is fsynced, so it survives a power cut. `normal`:
   * WAL's usual setting, safe against a killed process (never corrupt, nothing committed lost)
   * but a power cut can lose the batches since the last checkpoint; cheaper per batch.
   */
  readonly synchronous?: 'full' | 'normal';
}

/** Most items one `query` page returns: a page is read synchronously, so its size bounds the pause. */
export const MAX_PAGE = 1000;

/**
 * Rows one prune statement deletes: each DELETE is its own short write
 * transaction, and the loop yields to the event loop between them, so
 * appends (from this process or another) wait for at most one batch.
 */
export const PRUNE_BATCH = 500;

/**
 * Index entries one step of the walk to the `maxRows` edge reads: 50,000
 * take 3–4.5 ms on the build VM, so a prune with `maxRows` of millions holds the
 * event loop for one step at a time, not for the whole walk.
 */
const WALK_STEP = 50_000;

const DAY_MS = 86_400_000;

type Key = { time: number; id: string };
type DocumentRow = { kind: string; key: string; body: string; time: number };

/**
 * The prediction log in one SQLite file (better-sqlite3, WAL), shared safely
 * by several processes on one host. Every call is synchronous underneath and
 * short: one transaction per `append` or `appendFeedback` batch, one indexed
 * range read per page, pruning in batches of 500 rows.
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open('data/ponte.db');
 * await store.append([record]);
 * const page = await store.query({ model: 'purchase', since: Date.now() - 3_600_000, limit: 100 });
 * await store.close();
 * ```
 */
export class SqliteStore implements PredictionStore {
  readonly name = 'sqlite';
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #predictionOf: Database.Statement<[string, string]>;
  readonly #insertFeedback: Database.Statement<unknown[]>;
  readonly #get: Database.Statement<[string, string], PredictionRow>;
  readonly #queries = new Map<string, Database.Statement<[Record<string, unknown>], PredictionRow>>();
  readonly #deleteOlder: Database.Statement<[number, number]>;
  readonly #deleteBelow: Database.Statement<[number, string, number]>;
  readonly #newestAt: Database.Statement<[number], Key>;
  readonly #olderAt: Database.Statement<[number, string, number], Key>;
  readonly #appendBatch: (records: readonly StoredPrediction[]) => void;
  readonly #feedbackBatch: (model: string, items: readonly FeedbackItem[], now: number) => FeedbackResult[];
  readonly #putDocuments: (rows: readonly DocumentRow[]) => void;
  readonly #getDocument: Database.Statement<[string, string], DocumentRow>;
  readonly #listDocuments = new Map<string, Database.Statement<[Record<string, unknown>], DocumentRow>>();
  readonly #deleteDocumentsOlder: Database.Statement<[number, number]>;
  readonly #takeLease: (name: string, owner: string, now: number, ttlMs: number) => boolean;
  readonly #releaseLease: Database.Statement<[string, string]>;
  #closed = false;

  /**
   * Opens (creating it and its folder when missing) and migrates a store
   * file. Pragmas, in order of why:
   * - `journal_mode=WAL`: readers never block the writer nor it them, and
   *   several processes on one host share the file. Not on a network
   *   filesystem: WAL needs memory shared by those processes; a file where
   *   WAL cannot be turned on is refused.
   * - `synchronous=FULL`: every commit fsyncs the WAL, so a batch `append`
   *   resolved for survives a power cut or a kernel crash, not only a killed
   *   process — what `PredictionStore` promises and docs/persistence.md says.
   *   NORMAL would skip that fsync (still never corrupting the file, and
   *   losing nothing to a killed process) but let a power cut roll back the
   *   batches committed since the last checkpoint. The price is one fsync per
   *   commit, on the event loop (better-sqlite3 is synchronous): on the build
   *   VM a one-record commit takes 0.2 ms instead of 0.04, a 256-record batch
   *   2.8 ms instead of 2.1 (docs/persistence.md); other disks
   *   can take milliseconds per fsync (not measured here). Batching bounds
   *   it: under load one fsync covers 256 records.
   * - `busy_timeout`: see `busyTimeoutMs`.
   * - `foreign_keys=ON`: per connection in SQLite; needed for a label to go
   *   with its pruned prediction (ON DELETE CASCADE).
   * - `journal_size_limit`: the WAL file is truncated back to 64 MiB after a
   *   checkpoint instead of staying at its largest size.
   */
  static async open(file: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && !db.memory) throw new Error(`${file}: SQLite cannot use WAL here (journal_mode is ${String(mode)}); put the file on a local filesystem`);
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma('journal_size_limit = 67108864');
      migrate(db);
      return new SqliteStore(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO predictions (${PREDICTION_COLUMNS.join(', ')}) VALUES (${PREDICTION_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`);
    this.#predictionOf = db.prepare('SELECT 1 FROM predictions WHERE id = ? AND model = ?');
    this.#insertFeedback = db.prepare('INSERT OR IGNORE INTO feedback (prediction_id, model, label, value, time) VALUES (?, ?, ?, ?, ?)');
    this.#get = db.prepare(`${SELECT_WITH_FEEDBACK} WHERE p.id = ? AND p.model = ?`);
    this.#deleteOlder = db.prepare('DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE time < ? ORDER BY time, id LIMIT ?)');
    this.#deleteBelow = db.prepare('DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE (time, id) < (?, ?) ORDER BY time, id LIMIT ?)');
    this.#newestAt = db.prepare('SELECT time, id FROM predictions ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?');
    this.#olderAt = db.prepare('SELECT time, id FROM predictions WHERE (time, id) < (?, ?) ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?');
    // IMMEDIATE: take the write lock at BEGIN, where the busy timeout applies. A deferred transaction
    // that reads first (appendFeedback) and then writes can fail at once with SQLITE_BUSY when another
    // process committed in between.
    const append = db.transaction((records: readonly StoredPrediction[]) => {
      for (const r of records) this.#insert.run(...toRow(r));
    });
    this.#appendBatch = (records) => append.immediate(records);
    const feedback = db.transaction((model: string, items: readonly FeedbackItem[], now: number): FeedbackResult[] => items.map((item) => {
      if (this.#predictionOf.get(item.id, model) === undefined) return { id: item.id, status: 'unknown_id' };
      const label = item.label === undefined ? null : JSON.stringify(item.label);
      const stored = this.#insertFeedback.run(item.id, model, label, item.value ?? null, item.time ?? now).changes > 0;
      return { id: item.id, status: stored ? 'stored' : 'duplicate' };
    }));
    this.#feedbackBatch = (model, items, now) => feedback.immediate(model, items, now);
    const upsertDocument = db.prepare<[DocumentRow]>('INSERT INTO documents (kind, key, body, time) VALUES (@kind, @key, @body, @time) ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, time = excluded.time');
    const putDocuments = db.transaction((rows: readonly DocumentRow[]) => {
      for (const row of rows) upsertDocument.run(row);
    });
    this.#putDocuments = (rows) => putDocuments.immediate(rows);
    this.#getDocument = db.prepare('SELECT kind, key, body, time FROM documents WHERE kind = ? AND key = ?');
    this.#deleteDocumentsOlder = db.prepare('DELETE FROM documents WHERE rowid IN (SELECT rowid FROM documents WHERE time < ? LIMIT ?)');
    // Taken when free, expired, or already the caller's: the upsert's WHERE refuses to overwrite another's valid lease,
    // and `changes` says whether a row was written. IMMEDIATE, so processes sharing the file take turns at BEGIN.
    const takeLease = db.prepare<[{ name: string; owner: string; now: number; ttlMs: number }]>(`INSERT INTO leases (name, owner, expires_at) VALUES (@name, @owner, @now + @ttlMs)
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE leases.owner = excluded.owner OR leases.expires_at <= @now`);
    const lease = db.transaction((name: string, owner: string, now: number, ttlMs: number): boolean => takeLease.run({ name, owner, now, ttlMs }).changes > 0);
    this.#takeLease = (name, owner, now, ttlMs) => lease.immediate(name, owner, now, ttlMs);
    this.#releaseLease = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
  }

  /** Appends a batch in one transaction: all of it or none. An id already stored is skipped, so a retried batch is not stored twice. */
  async append(records: readonly StoredPrediction[]): Promise<void> {
    this.#check();
    if (records.length > 0) this.#appendBatch(records);
  }

  async appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]> {
    this.#check();
    return items.length === 0 ? [] : this.#feedbackBatch(model, items, Date.now());
  }

  async get(model: string, id: string): Promise<(StoredPrediction & { readonly feedback?: FeedbackItem }) | undefined> {
    this.#check();
    const row = this.#get.get(id, model);
    return row === undefined ? undefined : fromRow(row);
  }

  async query(q: PredictionQuery): Promise<PredictionPage> {
    this.#check();
    if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PonteError('PONTE_BAD_REQUEST', 'limit: must be a number >= 1');
    const limit = Math.min(Math.floor(q.limit), MAX_PAGE);
    const params: Record<string, unknown> = { model: q.model, limit: limit + 1 };
    if (q.version !== undefined) params['version'] = q.version;
    if (q.since !== undefined) params['since'] = q.since;
    if (q.until !== undefined) params['until'] = q.until;
    if (q.cursor !== undefined) {
      const after = decodeCursor(q.cursor);
      params['afterTime'] = after.time;
      params['afterId'] = after.id;
    }
    // One more row than asked says whether another page follows without a count.
    const rows = this.#queryStatement(params).all(params);
    const items = rows.slice(0, limit).map(fromRow);
    const last = items[items.length - 1];
    return rows.length > limit && last !== undefined ? { items, cursor: encodeCursor(last.time, last.id) } : { items };
  }

  /**
   * Deletes predictions and documents older than `maxAgeDays`, then all but the newest
   * `maxRows` (counted over every model: the budget is the file's), in
   * batches of `PRUNE_BATCH` with the event loop free between them; labels go
   * with their predictions. Finding the `maxRows` edge walks that many index
   * entries, in steps of `WALK_STEP`. Stops early, returning what it deleted,
   * when the store is closed meanwhile.
   */
  async prune(policy: RetentionPolicy): Promise<number> {
    this.#check();
    let deleted = 0;
    if (policy.maxAgeDays !== undefined) {
      const cutoff = Date.now() - policy.maxAgeDays * DAY_MS;
      deleted += await this.#deleteInBatches(() => this.#deleteOlder.run(cutoff, PRUNE_BATCH).changes);
      // Documents by their writer's time; not counted in what prune returns (predictions).
      if (!this.#closed) await this.#deleteInBatches(() => this.#deleteDocumentsOlder.run(cutoff, PRUNE_BATCH).changes);
    }
    if (policy.maxRows !== undefined && !this.#closed) {
      const edge = await this.#keyOfNewest(Math.max(0, Math.floor(policy.maxRows)));
      if (edge !== undefined) deleted += await this.#deleteInBatches(() => this.#deleteBelow.run(edge.time, edge.id, PRUNE_BATCH).changes);
    }
    return deleted;
  }

  /** Upserts every document in one IMMEDIATE transaction: all of them or, on any error, none. */
  async putDocuments(docs: readonly StoredDocument[]): Promise<void> {
    this.#check();
    const rows = docs.map(documentRow);
    if (rows.length > 0) this.#putDocuments(rows);
  }

  async getDocument(kind: string, key: string): Promise<StoredDocument | undefined> {
    this.#check();
    if (nameProblem(kind) !== undefined || nameProblem(key) !== undefined) return undefined;
    const row = this.#getDocument.get(kind, key);
    return row === undefined ? undefined : documentFromRow(row);
  }

  /** A kind's documents by descending key (BINARY: UTF-8 byte order), at most 1000. */
  async listDocuments(query: DocumentQuery): Promise<StoredDocument[]> {
    this.#check();
    const limit = documentPageLimit(query);
    const params: Record<string, unknown> = { kind: query.kind, limit };
    if (query.prefix !== undefined && query.prefix !== '') params['prefix'] = query.prefix;
    if (query.before !== undefined) params['before'] = query.before;
    const shape = `${'prefix' in params ? 1 : 0}${'before' in params ? 1 : 0}`;
    let stmt = this.#listDocuments.get(shape);
    if (stmt === undefined) {
      const where = ['kind = @kind'];
      // The lower bound lets the primary key's range stop where the prefix's keys end; substr checks the prefix itself.
      if ('prefix' in params) where.push('key >= @prefix', 'substr(key, 1, length(@prefix)) = @prefix');
      if ('before' in params) where.push('key < @before');
      stmt = this.#db.prepare<[Record<string, unknown>], DocumentRow>(`SELECT kind, key, body, time FROM documents WHERE ${where.join(' AND ')} ORDER BY key DESC LIMIT @limit`);
      this.#listDocuments.set(shape, stmt);
    }
    return stmt.all(params).map(documentFromRow);
  }

  /** Takes or renews the lease on this host's clock, in an IMMEDIATE transaction, so processes sharing the file agree on one holder. */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    this.#check();
    checkLease(name, owner, ttlMs);
    return this.#takeLease(name, owner, Date.now(), Math.ceil(ttlMs));
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.#check();
    checkLease(name, owner);
    this.#releaseLease.run(name, owner);
  }

  /** Closes the file (the last connection out checkpoints the WAL into it). Idempotent; later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /**
   * The key of the `n`-th newest prediction (everything older goes), or
   * undefined when there are no more than `n`; for 0, a key above every row.
   */
  async #keyOfNewest(n: number): Promise<Key | undefined> {
    let edge: Key = { time: Number.MAX_VALUE, id: '' };
    for (let walked = 0; walked < n;) {
      const step = Math.min(n - walked, WALK_STEP);
      const next = walked === 0 ? this.#newestAt.get(step - 1) : this.#olderAt.get(edge.time, edge.id, step - 1);
      if (next === undefined) return undefined;
      edge = next;
      walked += step;
      if (walked < n) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#closed) return undefined;
      }
    }
    return edge;
  }

  async #deleteInBatches(step: () => number): Promise<number> {
    let total = 0;
    while (!this.#closed) {
      const n = step();
      total += n;
      if (n < PRUNE_BATCH) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return total;
  }

  /** The read for this combination of filters, prepared once: each shape keeps its index range plain for the planner. */
  #queryStatement(params: Record<string, unknown>): Database.Statement<[Record<string, unknown>], PredictionRow> {
    const key = ['version', 'since', 'until', 'afterTime'].map((k) => (k in params ? '1' : '0')).join('');
    let stmt = this.#queries.get(key);
    if (stmt === undefined) {
      const where = ['p.model = @model'];
      if ('version' in params) where.push('p.version = @version');
      if ('since' in params) where.push('p.time >= @since');
      if ('until' in params) where.push('p.time < @until');
      if ('afterTime' in params) where.push('(p.time, p.id) > (@afterTime, @afterId)');
      stmt = this.#db.prepare<[Record<string, unknown>], PredictionRow>(`${SELECT_WITH_FEEDBACK} WHERE ${where.join(' AND ')} ORDER BY p.time, p.id LIMIT @limit`);
      this.#queries.set(key, stmt);
    }
    return stmt;
  }

  #check(): void {
    if (this.#closed) throw new PonteError('PONTE_SHUTTING_DOWN', 'the SQLite prediction store is closed');
  }
}
