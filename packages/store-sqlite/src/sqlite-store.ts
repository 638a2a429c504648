import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkLease, decodeSegment, decodeSegmentCursor, encodeSegmentCursor, segmentBatchLimit, documentPageLimit, documentRow, nameProblem, PonteError, SEGMENT_SPAN_MS, SegmentPage, segmentIds, segmentIndexOf, toSegments, uuidBytes, uuidTime, uuidUpperBound, type DocumentQuery, type FeedbackItem, type FeedbackResult, type PredictionPage, type PredictionQuery, type PredictionSegment, type PredictionStore, type RetentionPolicy, type SegmentBatch, type SegmentQuery, type StoredDocument, type StoredPrediction } from '@ponte/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { documentFromRow } from './documents.js';
import { migrate } from './migrations.js';
import { segmentInserter } from './segment-insert.js';
import { SegmentWriter } from './segment-writer.js';

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
 * Segments one prune statement deletes (up to 4 × 1,024 predictions, usually
 * 4 × 256): each DELETE is its own short write transaction, and the loop
 * yields to the event loop between them, so appends (from this process or
 * another) wait for at most one step.
 */
export const PRUNE_BATCH = 4;

/** Segments one step of the walk to the `maxRows` edge reads before yielding. */
const WALK_STEP = 2_000;

const DAY_MS = 86_400_000;

/** The page size of a new store file (see `open`). */
const PAGE_SIZE = 16_384;

type DocumentRow = { kind: string; key: string; body: string; time: number };
type SegmentRow = { seq: number; min_time: number; max_time: number; count: number; body: Uint8Array };
type SegmentHead = { seq: number; min_time: number; max_time: number };

/** Segments listed per statement while a page is assembled: a page of 1,000 needs about five. */
const SEGMENT_LIST_CHUNK = 16;
type FeedbackRow = { prediction_id: string; label: string | null; value: number | null; time: number };

function feedbackFromRow(row: FeedbackRow): FeedbackItem {
  return {
    id: row.prediction_id,
    ...(row.label !== null ? { label: JSON.parse(row.label) as FeedbackItem['label'] } : {}),
    ...(row.value !== null ? { value: row.value } : {}),
    time: row.time,
  };
}

/**
 * The prediction log in one SQLite file (better-sqlite3, WAL), shared safely
 * by several processes on one host. Predictions are kept in segments (one
 * row per appended batch and model version); appends are committed by a
 * writer thread, everything else is synchronous underneath and short: one
 * transaction per `appendFeedback` batch, a few indexed reads per page,
 * pruning a few segments per transaction.
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
  readonly #segmentsOfId: Database.Statement<[string, string, string, string], SegmentRow>;
  readonly #feedbackOf: Database.Statement<[string], FeedbackRow>;
  readonly #feedbackIn: Database.Statement<[string], FeedbackRow>;
  readonly #queries = new Map<string, Database.Statement<[Record<string, unknown>], SegmentHead>>();
  readonly #bodyOf: Database.Statement<[number], { body: Uint8Array }>;
  readonly #segmentReads = new Map<string, Database.Statement<[Record<string, unknown>], { seq: number; min_time: number; body: Uint8Array }>>();
  readonly #oldSegments: Database.Statement<[number, number], { seq: number; count: number }>;
  readonly #olderSegments: Database.Statement<[number, number, number], { seq: number; count: number }>;
  readonly #newest: Database.Statement<[number, number, number], { seq: number; max_time: number; count: number }>;
  readonly #deleteSegments: Database.Statement<[string]>;
  readonly #keepNewest: (seq: number, keep: number) => number;
  readonly #appendSegments: (segments: readonly PredictionSegment[]) => Promise<void>;
  readonly #writer: SegmentWriter | undefined;
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
   *   commit, paid on the writer thread (segment-writer.ts), not the event
   *   loop: on the build VM about 0.3 ms and, on this virtual disk, about as
   *   much CPU (docs/persistence.md). The prediction log's segments bound it:
   *   under load one fsync covers 1,024 records.
   * - `busy_timeout`: see `busyTimeoutMs`.
   * - `foreign_keys=ON`: per connection in SQLite; needed for a label to go
   *   with its pruned prediction (ON DELETE CASCADE).
   * - `journal_size_limit`: the WAL file is truncated back to 64 MiB after a
   *   checkpoint instead of staying at its largest size.
   * - `page_size=16384` (a new file only; an existing one keeps its own): a
   *   segment (~116 KB) spans 8 pages instead of 29, each written to the WAL
   *   and checkpointed with its own system call — measured, 0.47 instead of
   *   0.65 µs of the writer thread's CPU per logged record.
   */
  static async open(file: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && !db.memory) throw new Error(`${file}: SQLite cannot use WAL here (journal_mode is ${String(mode)}); put the file on a local filesystem`);
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma('journal_size_limit = 67108864');
      migrate(db);
      // Appends go through a writer thread with its own connection; a memory database has no file to share with it.
      const writer = db.memory ? undefined : new SegmentWriter({ file, busyTimeoutMs: options.busyTimeoutMs ?? 5000, synchronous: options.synchronous ?? 'full' });
      return new SqliteStore(db, writer);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private constructor(db: Database.Database, writer: SegmentWriter | undefined) {
    this.#db = db;
    if (writer !== undefined) {
      this.#writer = writer;
      this.#appendSegments = (segments) => writer.append(segments);
    } else {
      const insert = segmentInserter(db);
      this.#appendSegments = async (segments) => insert(segments);
    }
    // The segments that can hold an id: its model's, whose highest id is at or above it and at most one span later.
    this.#segmentsOfId = db.prepare('SELECT seq, min_time, max_time, count, body FROM prediction_segments WHERE model = ? AND max_id >= ? AND max_id <= ? AND min_id <= ?');
    this.#bodyOf = db.prepare('SELECT body FROM prediction_segments WHERE seq = ?');
    this.#feedbackOf = db.prepare('SELECT prediction_id, label, value, time FROM feedback WHERE prediction_id = ?');
    this.#feedbackIn = db.prepare('SELECT prediction_id, label, value, time FROM feedback WHERE prediction_id IN (SELECT value FROM json_each(?))');
    this.#oldSegments = db.prepare('SELECT seq, count FROM prediction_segments WHERE max_time < ? LIMIT ?');
    this.#olderSegments = db.prepare('SELECT seq, count FROM prediction_segments WHERE (max_time, seq) < (?, ?) ORDER BY max_time DESC, seq DESC LIMIT ?');
    // The walk to the maxRows edge reads counts only: a segment's body is most of its row.
    this.#newest = db.prepare('SELECT seq, max_time, count FROM prediction_segments WHERE (max_time, seq) < (?, ?) ORDER BY max_time DESC, seq DESC LIMIT ?');
    this.#deleteSegments = db.prepare('DELETE FROM prediction_segments WHERE seq IN (SELECT value FROM json_each(?))');
    const insertFeedback = db.prepare('INSERT OR IGNORE INTO feedback (prediction_id, segment, model, label, value, time) VALUES (?, ?, ?, ?, ?, ?)');
    const feedback = db.transaction((model: string, items: readonly FeedbackItem[], now: number): FeedbackResult[] => {
      const idsOf = new Map<number, Set<string>>();
      return items.map((item) => {
        const seq = this.#segmentOf(model, item.id, idsOf);
        if (seq === undefined) return { id: item.id, status: 'unknown_id' };
        const label = item.label === undefined ? null : JSON.stringify(item.label);
        const stored = insertFeedback.run(item.id.toLowerCase(), seq, model, label, item.value ?? null, item.time ?? now).changes > 0;
        return { id: item.id, status: stored ? 'stored' : 'duplicate' };
      });
    });
    this.#feedbackBatch = (model, items, now) => feedback.immediate(model, items, now);
    // The segment at the maxRows edge keeps its newest records only: re-encoded in place, labels of the rest gone.
    const rewrite = db.prepare('UPDATE prediction_segments SET min_time = @minTime, max_time = @maxTime, min_id = @minId, max_id = @maxId, count = @count, body = @bytes WHERE seq = @seq');
    const dropLabel = db.prepare('DELETE FROM feedback WHERE prediction_id = ?');
    const readSegment = db.prepare<[number], SegmentRow>('SELECT seq, min_time, max_time, count, body FROM prediction_segments WHERE seq = ?');
    const keepNewest = db.transaction((seq: number, keep: number): number => {
      const row = readSegment.get(seq);
      if (row === undefined) return 0;
      const records = decodeSegment(row.body).sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));
      const gone = records.splice(keep);
      const [seg] = toSegments(records);
      if (seg === undefined) db.prepare('DELETE FROM prediction_segments WHERE seq = ?').run(seq);
      else rewrite.run({ ...seg, seq });
      for (const r of gone) dropLabel.run(r.id);
      return gone.length;
    });
    this.#keepNewest = (seq, keep) => keepNewest.immediate(seq, keep);
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

  /**
   * Appends a batch in one transaction: all of it or none, one row per
   * model version (a segment). A batch appended again (a retry) is not
   * stored twice.
   */
  async append(records: readonly StoredPrediction[]): Promise<void> {
    this.#check();
    if (records.length > 0) await this.#appendSegments(toSegments(records));
  }

  /** Appends segments the caller encoded (the prediction log does, as records arrive), in one transaction. */
  async appendSegments(segments: readonly PredictionSegment[]): Promise<void> {
    this.#check();
    if (segments.length > 0) await this.#appendSegments(segments);
  }

  async appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]> {
    this.#check();
    return items.length === 0 ? [] : this.#feedbackBatch(model, items, Date.now());
  }

  async get(model: string, id: string): Promise<(StoredPrediction & { readonly feedback?: FeedbackItem }) | undefined> {
    this.#check();
    const wanted = id.toLowerCase();
    for (const row of this.#candidates(model, wanted)) {
      // Several segments can cover the id's time: only the one holding it is decoded.
      const at = segmentIndexOf(row.body, wanted);
      if (at < 0) continue;
      const found = decodeSegment(row.body)[at]!;
      const label = this.#feedbackOf.get(wanted);
      return label === undefined ? found : { ...found, feedback: feedbackFromRow(label) };
    }
    return undefined;
  }

  async query(q: PredictionQuery): Promise<PredictionPage> {
    this.#check();
    if (typeof q.limit !== 'number' || !(q.limit >= 1)) throw new PonteError('PONTE_BAD_REQUEST', 'limit: must be a number >= 1');
    const limit = Math.min(Math.floor(q.limit), MAX_PAGE);
    const page = new SegmentPage({ ...q, limit }, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    const params: Record<string, unknown> = { model: q.model, from: page.lowerBound === -Infinity ? -Number.MAX_VALUE : page.lowerBound - SEGMENT_SPAN_MS, afterMin: -Number.MAX_VALUE, afterSeq: 0 };
    if (q.version !== undefined) params['version'] = q.version;
    if (q.until !== undefined) params['until'] = q.until;
    // Segments are listed a few at a time without their bodies (reading a body is most of a row's cost),
    // and a body is read and decoded only while its segment can still change the page.
    const list = this.#queryStatement(params);
    for (let done = false; !done;) {
      const heads = list.all(params);
      if (heads.length < SEGMENT_LIST_CHUNK) done = true;
      for (const head of heads) {
        if (!page.wants(head.min_time)) {
          done = true;
          break;
        }
        if (head.max_time >= page.lowerBound) page.add(this.#bodyOf.get(head.seq)!.body);
      }
      const last = heads[heads.length - 1];
      if (last !== undefined) {
        params['afterMin'] = last.min_time;
        params['afterSeq'] = last.seq;
      }
    }
    const { items, more } = page.result();
    const labels = items.length === 0 ? [] : this.#feedbackIn.all(JSON.stringify(items.map((r) => r.id)));
    const byId = new Map(labels.map((l) => [l.prediction_id, feedbackFromRow(l)]));
    const withLabels = byId.size === 0 ? items : items.map((r) => {
      const f = byId.get(r.id);
      return f === undefined ? r : { ...r, feedback: f };
    });
    const last = items[items.length - 1];
    return more && last !== undefined ? { items: withLabels, cursor: encodeCursor(last.time, last.id) } : { items: withLabels };
  }

  async readSegments(q: SegmentQuery): Promise<SegmentBatch> {
    this.#check();
    const limit = segmentBatchLimit(q.limit);
    const after = q.cursor === undefined ? undefined : decodeSegmentCursor(q.cursor);
    const since = q.since !== undefined && Number.isFinite(q.since) ? q.since : undefined;
    // A segment spans at most SEGMENT_SPAN_MS: one that ends at or after `since` starts at most that much before it (the index's range).
    // The index range starts at the cursor too: SQLite does not take one from the row-value comparison.
    const from = Math.max(since === undefined ? -Number.MAX_VALUE : since - SEGMENT_SPAN_MS, after?.minTime ?? -Number.MAX_VALUE);
    const params: Record<string, unknown> = { model: q.model, from, since: since ?? -Number.MAX_VALUE, afterMin: after?.minTime ?? -Number.MAX_VALUE, afterSeq: after?.seq ?? 0, limit };
    if (q.version !== undefined) params['version'] = q.version;
    if (q.until !== undefined) params['until'] = q.until;
    const key = ['version', 'until'].map((k) => (k in params ? '1' : '0')).join('');
    let stmt = this.#segmentReads.get(key);
    if (stmt === undefined) {
      const where = ['model = @model', 'min_time >= @from', 'max_time >= @since', '(min_time, seq) > (@afterMin, @afterSeq)'];
      if ('version' in params) where.push('version = @version');
      if ('until' in params) where.push('min_time < @until');
      stmt = this.#db.prepare(`SELECT seq, min_time, body FROM prediction_segments WHERE ${where.join(' AND ')} ORDER BY min_time, seq LIMIT @limit`);
      this.#segmentReads.set(key, stmt);
    }
    const rows = stmt.all(params);
    const last = rows[rows.length - 1];
    const segments = rows.map((r) => r.body);
    return rows.length === limit && last !== undefined ? { segments, cursor: encodeSegmentCursor({ minTime: last.min_time, seq: last.seq }) } : { segments };
  }

  /**
   * Deletes predictions and documents older than `maxAgeDays`, then all but the newest
   * `maxRows` (counted over every model: the budget is the file's), a few
   * segments per transaction with the event loop free between them; labels go
   * with their predictions. A segment goes by age when its newest record is
   * older than the cutoff, so a record can outlive `maxAgeDays` by up to
   * `SEGMENT_SPAN_MS` (5 s). At the `maxRows` edge, the segment that holds
   * both kept and older records is re-encoded with the kept ones only. Stops
   * early, returning what it deleted, when the store is closed meanwhile.
   */
  async prune(policy: RetentionPolicy): Promise<number> {
    this.#check();
    let deleted = 0;
    if (policy.maxAgeDays !== undefined) {
      const cutoff = Date.now() - policy.maxAgeDays * DAY_MS;
      deleted += await this.#deleteInSteps((n) => this.#drop(this.#oldSegments.all(cutoff, n)));
      // Documents by their writer's time; not counted in what prune returns (predictions).
      if (!this.#closed) await this.#deleteInSteps((n) => this.#deleteDocumentsOlder.run(cutoff, n * 128).changes > 0 ? n : 0);
    }
    if (policy.maxRows !== undefined && !this.#closed) deleted += await this.#pruneToRows(Math.max(0, Math.floor(policy.maxRows)));
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
    await this.#writer?.close();
    this.#db.close();
  }

  /** The segments of `model` that can hold `id` (lower case): at most a span's worth of the model's segments. */
  #candidates(model: string, id: string): SegmentRow[] {
    const ms = uuidTime(id);
    if (uuidBytes(id) === undefined || !Number.isFinite(ms)) return [];
    return this.#segmentsOfId.all(model, id, uuidUpperBound(ms + SEGMENT_SPAN_MS), id);
  }

  /** The segment (its seq) holding `id` for `model`, or undefined; `idsOf` caches segments' ids for one feedback batch. */
  #segmentOf(model: string, id: string, idsOf: Map<number, Set<string>>): number | undefined {
    const wanted = id.toLowerCase();
    for (const row of this.#candidates(model, wanted)) {
      let ids = idsOf.get(row.seq);
      if (ids === undefined) idsOf.set(row.seq, (ids = new Set(segmentIds(row.body))));
      if (ids.has(wanted)) return row.seq;
    }
    return undefined;
  }

  /** Deletes these segments (their labels cascade) and returns how many predictions went. */
  #drop(rows: ReadonlyArray<{ seq: number; count: number }>): number {
    if (rows.length === 0) return 0;
    this.#deleteSegments.run(JSON.stringify(rows.map((r) => r.seq)));
    return rows.reduce((n, r) => n + r.count, 0);
  }

  /**
   * Keeps the newest `maxRows` predictions: walks segments newest first
   * (by their newest record) summing counts; the segment that crosses the
   * budget keeps its newest records, every older one goes.
   */
  async #pruneToRows(maxRows: number): Promise<number> {
    let kept = 0;
    let edge: { time: number; seq: number } = { time: Number.MAX_VALUE, seq: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const rows = this.#newest.all(edge.time, edge.seq, WALK_STEP);
      if (rows.length === 0) return 0;
      for (const row of rows) {
        edge = { time: row.max_time, seq: row.seq };
        if (kept + row.count <= maxRows) {
          kept += row.count;
          continue;
        }
        let deleted = 0;
        if (kept < maxRows) deleted += this.#keepNewest(row.seq, maxRows - kept);
        else edge = { time: row.max_time, seq: row.seq + 1 };
        const from = edge;
        // Everything older than the edge (or from it, when the edge segment itself goes) is deleted, a few segments at a time.
        deleted += await this.#deleteInSteps((n) => this.#drop(this.#olderSegments.all(from.time, from.seq, n)));
        return deleted;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#closed) return 0;
    }
  }

  /** Calls `step(PRUNE_BATCH)` until it removes nothing, yielding between calls; returns the sum of what it returned. */
  async #deleteInSteps(step: (n: number) => number): Promise<number> {
    let total = 0;
    while (!this.#closed) {
      const n = step(PRUNE_BATCH);
      if (n === 0) break;
      total += n;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return total;
  }

  /** The segment listing for this combination of filters, prepared once: each shape keeps its index range plain for the planner. */
  #queryStatement(params: Record<string, unknown>): Database.Statement<[Record<string, unknown>], SegmentHead> {
    const key = ['version', 'until'].map((k) => (k in params ? '1' : '0')).join('');
    let stmt = this.#queries.get(key);
    if (stmt === undefined) {
      const where = ['model = @model', 'min_time >= @from', '(min_time, seq) > (@afterMin, @afterSeq)'];
      if ('version' in params) where.push('version = @version');
      if ('until' in params) where.push('min_time < @until');
      stmt = this.#db.prepare<[Record<string, unknown>], SegmentHead>(`SELECT seq, min_time, max_time FROM prediction_segments WHERE ${where.join(' AND ')} ORDER BY min_time, seq LIMIT ${SEGMENT_LIST_CHUNK}`);
      this.#queries.set(key, stmt);
    }
    return stmt;
  }

  #check(): void {
    if (this.#closed) throw new PonteError('PONTE_SHUTTING_DOWN', 'the SQLite prediction store is closed');
  }
}
