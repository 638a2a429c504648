import { escapeIdentifier, Pool, type PoolClient } from 'pg';
import { checkLease, decodeSegment, decodeSegmentCursor, encodeSegmentCursor, segmentBatchLimit, documentPageLimit, documentRow, nameProblem, SEGMENT_SPAN_MS, SegmentPage, segmentIds, segmentIndexOf, toSegments, uuidTime, uuidUpperBound } from '@ponte/core';
import type { DocumentQuery, FeedbackItem, FeedbackResult, PredictionPage, PredictionQuery, PredictionSegment, PredictionStore, RetentionPolicy, SegmentBatch, SegmentQuery, StoredDocument, StoredPrediction } from '@ponte/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { documentFromRow, type DocumentRow } from './documents.js';
import { isUuid } from './is-uuid.js';
import { LABEL_READ, labelFromRow, type LabelRow } from './labels.js';
import { migrate, type MigrationResult } from './migrations.js';
import { SEGMENT_COLUMNS, SEGMENT_READ, segmentParams, segmentValues, wholeMs, type SegmentRow } from './segment-rows.js';
import { jsonbText, textValue } from './sql-text.js';
import { withClient } from './with-client.js';

/**
 * How `PostgresStore.open` reaches the database and where the tables live;
 * the plugin fills it from its options.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOpenOptions = { connectionString: process.env.DATABASE_URL!, schema: 'ponte', onConnectionError: (e) => log.warn(e) };
 * ```
 */
export interface PostgresStoreOpenOptions {
  /** libpq-style URL: `postgres://user:password@host:5432/db`. */
  connectionString: string;
  /** Schema of the tables, created when missing; default `ponte`. */
  schema?: string;
  /** Pool size; default 4. */
  maxConnections?: number;
  /** What the connections show as in `pg_stat_activity`; default `ponte-store-<schema>`. */
  applicationName?: string;
  /** How long to wait for a connection (new or from the pool), ms; default 10000. */
  connectionTimeoutMillis?: number;
  /**
   * Told when an idle pooled connection dies (server restart, failover, a
   * terminated backend). The pool has already dropped it and opens a new one
   * when needed; the default ignores it.
   */
  onConnectionError?: (error: Error) => void;
}

/** A prediction as it is logged, with its delayed label when one arrived. */
type LoggedPrediction = StoredPrediction & { readonly feedback?: FeedbackItem };

/**
 * Segments one prune statement deletes: usually 256 predictions each, so a
 * statement does about the work the 1000-row deletes of the row-per-prediction
 * schema did, and appends never wait long on it.
 */
const PRUNE_BATCH = 16;
/** Segments one step of the walk to the `maxRows` edge reads (their seq, time and count, not their bodies). */
const WALK_STEP = 2000;
/**
 * Segments the first read of a page fetches: under load one segment (256
 * records) holds a page. At low load a segment may hold a single record, so
 * each further read asks for as many as the page still needs at the records
 * per segment seen so far, up to `READ_MAX`.
 */
const READ_FIRST = 2;
const READ_MAX = 256;
/** Ids one segment lookup of `appendFeedback` covers: bounds the segment bodies held at once. */
const LOOKUP_IDS = 256;
/** Most segments one INSERT carries: 8 parameters each, within the protocol's 65,535. */
const INSERT_MAX = 4096;
/** Documents one prune statement deletes. */
const DOCUMENT_PRUNE_BATCH = 1000;
/** A page holds at most this many predictions, whatever `limit` asks. */
const MAX_PAGE = 1000;
const DAY_MS = 86_400_000;

/** A candidate segment of `get`, with the id's label when it has one (the LEFT JOIN's columns are null otherwise). */
type GetRow = { body: Uint8Array } & (LabelRow | { [K in keyof LabelRow]: null });

/** Newest first by time, then id: the order `maxRows` keeps records in. */
function newestFirst(a: StoredPrediction, b: StoredPrediction): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * The prediction log in PostgreSQL: a `pg` pool, tables in their own schema
 * (created and migrated by `open`), each appended batch stored as one row per
 * model version (a segment, encoded by `@ponte/core`), keyset pagination,
 * retention a few segments per delete. Any number of servers may share one
 * schema: ids are UUIDv7 and writes are idempotent, so a retried batch or a
 * duplicate label is stored once.
 *
 * @example
 * ```ts
 * const store = await PostgresStore.open({ connectionString: process.env.DATABASE_URL!, schema: 'ponte' });
 * await store.append([record]);
 * const page = await store.query({ model: 'purchase', since: Date.now() - 3_600_000, limit: 100 });
 * await store.close();
 * ```
 */
export class PostgresStore implements PredictionStore {
  readonly name = 'postgres';
  private closed = false;
  private readonly sql: ReturnType<typeof statements>;

  private constructor(
    private readonly pool: Pool,
    /** The schema the tables are in. */
    readonly schema: string,
    /** What `open` found and did to the schema. */
    readonly migration: MigrationResult,
    /** The connections' `application_name`. */
    readonly applicationName: string,
  ) {
    this.sql = statements(escapeIdentifier(schema));
  }

  /** Connects, creates or migrates the schema, and returns the store; fails (and leaves nothing open) when the database cannot be reached. */
  static async open(options: PostgresStoreOpenOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'ponte';
    const bytes = Buffer.byteLength(schema);
    if (bytes === 0 || bytes > 63) throw new RangeError(`schema name must be 1 to 63 bytes (PostgreSQL truncates longer identifiers), got ${bytes}`);
    const applicationName = options.applicationName ?? `ponte-store-${schema}`;
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 4,
      application_name: applicationName,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
      idleTimeoutMillis: 30_000,
      // Notices a peer that vanished without closing (a failover, a dropped NAT entry) instead of waiting forever.
      keepAlive: true,
    });
    // An idle client whose backend dies makes the pool emit 'error'; unheard, that would crash the process.
    pool.on('error', (e) => options.onConnectionError?.(e));
    try {
      const migration = await migrate(pool, schema);
      return new PostgresStore(pool, schema, migration, applicationName);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  /** Ends the pool once in-flight calls are done; later calls reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * One statement per batch (one row per model version, usually one), so a
   * batch is stored whole or not at all; a batch appended again (a retry) is
   * not stored twice.
   */
  async append(records: readonly StoredPrediction[]): Promise<void> {
    this.checkOpen();
    if (records.length === 0) return;
    await this.appendSegments(toSegments(records));
  }

  /** Appends segments the caller encoded (the prediction log does, as records arrive): one statement, or one transaction when they are many. */
  async appendSegments(segments: readonly PredictionSegment[]): Promise<void> {
    this.checkOpen();
    if (segments.length === 0) return;
    if (segments.length <= INSERT_MAX) {
      await this.insert(this.pool, segments);
      return;
    }
    // More segments than one statement's parameters hold (records spread over hours): one transaction instead.
    await withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        for (let i = 0; i < segments.length; i += INSERT_MAX) await this.insert(client, segments.slice(i, i + INSERT_MAX));
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]> {
    this.checkOpen();
    // Each id is sent once (its first item); a repeat within the call reports as a duplicate of it.
    const firsts = new Map<string, FeedbackItem>();
    for (const item of items) if (isUuid(item.id) && !firsts.has(item.id.toLowerCase())) firsts.set(item.id.toLowerCase(), item);
    let known = new Map<string, number>();
    const stored = new Set<string>();
    // A segment pruned between the lookup and the insert fails the foreign key: once more, its ids are then unknown.
    for (let attempt = 1; firsts.size > 0; attempt++) {
      try {
        known = await this.segmentsOf(textValue(model), [...firsts.keys()]);
        if (known.size > 0) {
          const now = Date.now();
          const sent = [...known].map(([id, seq]) => ({ id, seq, item: firsts.get(id)! }));
          const { rows } = await this.pool.query<{ prediction_id: string }>(this.sql.feedback, [
            textValue(model),
            sent.map((s) => s.id),
            sent.map((s) => s.seq),
            sent.map((s) => (s.item.label === undefined ? null : jsonbText(s.item.label))),
            sent.map((s) => s.item.value ?? null),
            sent.map((s) => s.item.time ?? now),
          ]);
          for (const r of rows) stored.add(r.prediction_id);
        }
        break;
      } catch (e) {
        if (attempt >= 2 || (e as { code?: unknown }).code !== '23503') throw e;
      }
    }
    return items.map((item) => {
      const key = item.id.toLowerCase();
      if (!isUuid(item.id) || !known.has(key)) return { id: item.id, status: 'unknown_id' };
      return { id: item.id, status: stored.has(key) && firsts.get(key) === item ? 'stored' : 'duplicate' };
    });
  }

  async get(model: string, id: string): Promise<LoggedPrediction | undefined> {
    this.checkOpen();
    if (!isUuid(id)) return undefined;
    const wanted = id.toLowerCase();
    const { rows } = await this.pool.query<GetRow>(this.sql.get, [textValue(model), wanted, uuidUpperBound(uuidTime(wanted) + SEGMENT_SPAN_MS)]);
    for (const row of rows) {
      // Found by its 16 bytes first: only the segment that holds it is decoded.
      const at = segmentIndexOf(row.body, wanted);
      if (at < 0) continue;
      const found = decodeSegment(row.body)[at]!;
      return row.prediction_id === null ? found : { ...found, feedback: labelFromRow(row) };
    }
    return undefined;
  }

  /**
   * Oldest first by (time, id); `limit` is capped at 1000; the cursor is
   * keyset, so a page deep in the log costs what the first does. Segments are
   * read in (min_time, seq) order from one span before the page's lower bound,
   * a few at a time, until no further one can change the page; then the
   * page's labels in one query.
   */
  async readSegments(query: SegmentQuery): Promise<SegmentBatch> {
    this.checkOpen();
    const limit = segmentBatchLimit(query.limit);
    const after = query.cursor === undefined ? undefined : decodeSegmentCursor(query.cursor);
    const params: unknown[] = [textValue(query.model)];
    const where = ['model = $1'];
    if (query.version !== undefined) where.push(`version = $${params.push(textValue(query.version))}`);
    if (query.until !== undefined && Number.isFinite(query.until)) where.push(`min_time < $${params.push(wholeMs(query.until, Math.ceil))}`);
    if (query.since !== undefined && Number.isFinite(query.since)) {
      // A segment spans at most SEGMENT_SPAN_MS: one that ends at or after `since` starts at most that much before it (the index's range).
      where.push(`max_time >= $${params.push(wholeMs(query.since, Math.floor))}`, `min_time >= $${params.push(wholeMs(query.since - SEGMENT_SPAN_MS, Math.floor))}`);
    }
    if (after !== undefined) {
      // `min_time >=` too: the index is on (model, version, min_time), and the row comparison alone does not bound its range.
      const at = params.push(wholeMs(after.minTime, Math.floor));
      where.push(`min_time >= $${at}`, `(min_time, seq) > ($${at}, $${params.push(after.seq)})`);
    }
    const text = `SELECT ${SEGMENT_READ} FROM ${this.sql.segments} p WHERE ${where.join(' AND ')} ORDER BY p.min_time, p.seq LIMIT $${params.push(limit)}`;
    const { rows } = await this.pool.query<SegmentRow>(text, params);
    const last = rows.at(-1);
    const segments = rows.map((r) => r.body);
    return rows.length === limit && last !== undefined ? { segments, cursor: encodeSegmentCursor({ minTime: last.min_time, seq: last.seq }) } : { segments };
  }

  async query(query: PredictionQuery): Promise<PredictionPage> {
    this.checkOpen();
    const limit = Number.isFinite(query.limit) ? Math.min(Math.max(Math.floor(query.limit), 1), MAX_PAGE) : MAX_PAGE;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = new SegmentPage({ ...query, limit }, after === undefined ? undefined : { time: after.time, id: after.id.toLowerCase() });
    const lower = page.lowerBound;
    const params: unknown[] = [textValue(query.model)];
    const where = ['model = $1'];
    if (query.version !== undefined) where.push(`version = $${params.push(textValue(query.version))}`);
    if (query.until !== undefined && Number.isFinite(query.until)) where.push(`min_time < $${params.push(wholeMs(query.until, Math.ceil))}`);
    if (Number.isFinite(lower)) {
      // Segments of the span before the lower bound that end before it stay in the database: under load that is hundreds.
      where.push(`max_time >= $${params.push(wholeMs(lower, Math.floor))}`);
    }
    // Keyset over (min_time, seq), starting at the oldest segment that can hold a record at or after the lower bound.
    const time = params.push(Number.isFinite(lower) ? wholeMs(lower - SEGMENT_SPAN_MS, Math.floor) : Number.MIN_SAFE_INTEGER);
    const seq = params.push(0);
    const size = params.push(READ_FIRST);
    where.push(`min_time >= $${time}`, `(min_time, seq) > ($${time}, $${seq})`);
    const text = `SELECT ${SEGMENT_READ} FROM ${this.sql.segments} p WHERE ${where.join(' AND ')} ORDER BY p.min_time, p.seq LIMIT $${size}`;
    let segments = 0;
    let records = 0;
    read: for (let n = READ_FIRST; ;) {
      params[size - 1] = n;
      const { rows } = await this.pool.query<SegmentRow>(text, params);
      for (const row of rows) {
        if (!page.wants(row.min_time)) break read;
        page.add(row.body);
        segments++;
        records += row.count;
      }
      if (rows.length < n) break;
      params[time - 1] = rows[rows.length - 1]!.min_time;
      params[seq - 1] = rows[rows.length - 1]!.seq;
      n = Math.min(READ_MAX, Math.max(READ_FIRST, Math.ceil(((limit + 1 - records) * segments) / records)));
    }
    const { items, more } = page.result();
    const labels = items.length === 0 ? [] : (await this.pool.query<LabelRow>(this.sql.labels, [items.map((r) => r.id)])).rows;
    const byId = new Map(labels.map((l) => [l.prediction_id, labelFromRow(l)]));
    const withLabels = byId.size === 0 ? items : items.map((r) => {
      const f = byId.get(r.id);
      return f === undefined ? r : { ...r, feedback: f };
    });
    const last = items.at(-1);
    return more && last !== undefined ? { items: withLabels, cursor: encodeCursor({ time: last.time, id: last.id }) } : { items: withLabels };
  }

  /**
   * Deletes predictions and documents older than `maxAgeDays`, then all but
   * the newest `maxRows` predictions (across models), a few segments per
   * statement, their labels with them. A segment goes by age when its newest
   * record is older than the cutoff, so a record can outlive `maxAgeDays` by
   * up to `SEGMENT_SPAN_MS` (5 s). At the `maxRows` edge, the segment
   * holding both kept and older records is re-encoded with the kept ones.
   * One server prunes a schema at a time (a session advisory lock); another
   * that tries meanwhile returns 0 at once rather than deleting twice as much.
   */
  async prune(policy: RetentionPolicy): Promise<number> {
    this.checkOpen();
    if (policy.maxAgeDays === undefined && policy.maxRows === undefined) return 0;
    return withClient(this.pool, async (client) => {
      const lockKey = `ponte.store-postgres.prune:${this.schema}`;
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [lockKey]);
      if (rows[0]?.locked !== true) return 0;
      try {
        let deleted = 0;
        if (policy.maxAgeDays !== undefined) {
          const cutoff = Date.now() - policy.maxAgeDays * DAY_MS;
          deleted += await this.deleteInSteps(client, this.sql.pruneOlder, [wholeMs(cutoff, Math.floor)]);
          // Documents by their writer's time; not counted in what prune returns (predictions).
          while (!this.closed) {
            const n = (await client.query(this.sql.pruneDocuments, [cutoff, DOCUMENT_PRUNE_BATCH])).rowCount ?? 0;
            if (n < DOCUMENT_PRUNE_BATCH) break;
          }
        }
        if (policy.maxRows !== undefined && !this.closed) deleted += await this.pruneToRows(client, Math.max(0, Math.floor(policy.maxRows)));
        return deleted;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
      }
    });
  }

  /**
   * Upserts every document in one statement, so one transaction: all of them
   * or none. A later document with the same (kind, key) replaces an earlier
   * one of the call before it is sent (one statement cannot update a row twice).
   */
  async putDocuments(docs: readonly StoredDocument[]): Promise<void> {
    this.checkOpen();
    const rows = new Map<string, ReturnType<typeof documentRow>>();
    docs.forEach((doc, i) => {
      // jsonb refuses NUL and lone surrogates in strings: they are stored as U+FFFD.
      const row = { ...documentRow(doc, i), body: jsonbText(doc.body) };
      const id = JSON.stringify([row.kind, row.key]);
      rows.delete(id);
      rows.set(id, row);
    });
    if (rows.size === 0) return;
    const sent = [...rows.values()];
    await this.pool.query(this.sql.putDocuments, [sent.map((r) => r.kind), sent.map((r) => r.key), sent.map((r) => r.body), sent.map((r) => r.time)]);
  }

  async getDocument(kind: string, key: string): Promise<StoredDocument | undefined> {
    this.checkOpen();
    if (nameProblem(kind) !== undefined || nameProblem(key) !== undefined) return undefined;
    const { rows } = await this.pool.query<DocumentRow>(this.sql.getDocument, [kind, key]);
    return rows.length === 0 ? undefined : documentFromRow(rows[0]!);
  }

  /** A kind's documents by descending key (COLLATE "C": byte order), at most 1000. */
  async listDocuments(query: DocumentQuery): Promise<StoredDocument[]> {
    this.checkOpen();
    const limit = documentPageLimit(query);
    if (nameProblem(query.kind) !== undefined) return [];
    const params: unknown[] = [query.kind];
    const where = ['kind = $1'];
    if (query.prefix !== undefined && query.prefix !== '') {
      const p = params.push(query.prefix);
      // The lower bound narrows the primary key's range; starts_with checks the prefix itself.
      where.push(`key >= $${p}`, `starts_with(key, $${p})`);
    }
    if (query.before !== undefined) where.push(`key < $${params.push(query.before)}`);
    const { rows } = await this.pool.query<DocumentRow>(`${this.sql.selectDocuments} WHERE ${where.join(' AND ')} ORDER BY key DESC LIMIT $${params.push(limit)}`, params);
    return rows.map(documentFromRow);
  }

  /**
   * Takes or renews the lease in one upsert timed by the database's clock
   * (`now()`), so replicas whose clocks disagree still agree on who holds it.
   * Two callers at once: the second waits for the first's row, then finds it
   * held by another and valid, and gets false.
   */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    this.checkOpen();
    checkLease(name, owner, ttlMs);
    const { rowCount } = await this.pool.query(this.sql.acquireLease, [name, owner, ttlMs]);
    return (rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.checkOpen();
    checkLease(name, owner);
    await this.pool.query(this.sql.releaseLease, [name, owner]);
  }

  /** Inserts segments in one statement; one already stored (same model version, id range and count) is skipped. */
  private async insert(on: Pool | PoolClient, segments: readonly PredictionSegment[]): Promise<void> {
    const { values, params } = segmentValues(segments);
    await on.query(`INSERT INTO ${this.sql.segments} (${SEGMENT_COLUMNS}) VALUES ${values} ON CONFLICT DO NOTHING`, params);
  }

  /**
   * The segment (its seq) holding each of these ids (lower case) among
   * `model`'s, for the ids that have one. Ids go sorted, a few hundred per
   * query, so neighbours share the segments fetched and few bodies are held at once.
   */
  private async segmentsOf(model: string, ids: readonly string[]): Promise<Map<string, number>> {
    const sorted = [...ids].sort();
    const found = new Map<string, number>();
    for (let i = 0; i < sorted.length; i += LOOKUP_IDS) {
      const chunk = sorted.slice(i, i + LOOKUP_IDS);
      const wanted = new Set(chunk);
      const uppers = chunk.map((id) => uuidUpperBound(uuidTime(id) + SEGMENT_SPAN_MS));
      const { rows } = await this.pool.query<{ seq: number; body: Uint8Array }>(this.sql.segmentsOfIds, [model, chunk, uppers]);
      for (const row of rows) for (const id of segmentIds(row.body)) if (wanted.has(id) && !found.has(id)) found.set(id, row.seq);
    }
    return found;
  }

  /**
   * Keeps the newest `maxRows` predictions: walks segments newest first (by
   * their newest record) summing counts; the segment that crosses the budget
   * keeps its newest records, every older one goes.
   */
  private async pruneToRows(client: PoolClient, maxRows: number): Promise<number> {
    let kept = 0;
    let edge = { time: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const { rows } = await client.query<{ seq: number; max_time: number; count: number }>(this.sql.newest, [edge.time, edge.seq, WALK_STEP]);
      for (const row of rows) {
        edge = { time: row.max_time, seq: row.seq };
        if (kept + row.count <= maxRows) {
          kept += row.count;
          continue;
        }
        let deleted = 0;
        if (kept < maxRows) deleted += await this.keepNewest(client, row.seq, maxRows - kept);
        else edge = { time: row.max_time, seq: row.seq + 1 };
        // Everything older than the edge (or from it, when the edge segment itself goes) is deleted, a few segments at a time.
        return deleted + await this.deleteInSteps(client, this.sql.pruneBelow, [edge.time, edge.seq]);
      }
      if (rows.length < WALK_STEP || this.closed) return 0;
    }
  }

  /** Re-encodes segment `seq` with its newest `keep` records, dropping the labels of the rest, in one transaction; returns how many went. */
  private async keepNewest(client: PoolClient, seq: number, keep: number): Promise<number> {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ body: Uint8Array }>(this.sql.lockSegment, [seq]);
      let gone: StoredPrediction[] = [];
      if (rows.length > 0) {
        const records = decodeSegment(rows[0]!.body).sort(newestFirst);
        gone = records.splice(keep);
        // A part of one segment is one segment: same model version, a narrower span.
        const [seg] = toSegments(records);
        await client.query(this.sql.rewrite, [seq, ...segmentParams(seg!).slice(2)]);
        await client.query(this.sql.dropLabels, [seq, gone.map((r) => r.id)]);
      }
      await client.query('COMMIT');
      return gone.length;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Runs a `WITH gone AS (DELETE …)` statement, `PRUNE_BATCH` segments at a time, until it deletes none or the store closes; returns the predictions deleted. */
  private async deleteInSteps(client: PoolClient, text: string, params: readonly unknown[]): Promise<number> {
    let total = 0;
    while (!this.closed) {
      const { rows } = await client.query<{ segments: number; predictions: number }>(text, [...params, PRUNE_BATCH]);
      if (rows[0]!.segments === 0) break;
      total += rows[0]!.predictions;
    }
    return total;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`the PostgreSQL prediction store (schema "${this.schema}") is closed`);
  }
}

/** Every fixed statement of a store, built once for its (quoted) schema. */
function statements(s: string) {
  const segments = `${s}.prediction_segments`;
  // The predictions a DELETE of segments took with it, for prune to report.
  const deleted = (which: string): string => `WITH gone AS (DELETE FROM ${segments} WHERE seq = ANY(ARRAY(${which})) RETURNING count)
    SELECT count(*)::integer AS segments, coalesce(sum(count), 0)::integer AS predictions FROM gone`;
  return {
    segments,
    // The segments that can hold an id: its model's, whose highest id is at or above it and at most one span later.
    get: `SELECT p.body, ${LABEL_READ} FROM ${segments} p LEFT JOIN ${s}.segment_feedback f ON f.prediction_id = $2
      WHERE p.model = $1 AND p.max_id >= $2 AND p.max_id <= $3 AND p.min_id <= $2`,
    // The same for many ids at once; `= ANY(ARRAY(…))` fetches each segment once however many of the ids it holds.
    segmentsOfIds: `SELECT seq::float8 AS seq, body FROM ${segments} p WHERE seq = ANY(ARRAY(
        SELECT c.seq FROM unnest($2::uuid[], $3::uuid[]) AS i (id, upper)
        CROSS JOIN LATERAL (SELECT seq FROM ${segments} WHERE model = $1 AND max_id >= i.id AND max_id <= i.upper AND min_id <= i.id) c
      )) ORDER BY p.seq`,
    feedback: `INSERT INTO ${s}.segment_feedback (prediction_id, segment, model, label, value, time)
      SELECT id, segment, $1, label, value, to_timestamp(time_ms / 1000)
      FROM unnest($2::uuid[], $3::bigint[], $4::jsonb[], $5::float8[], $6::float8[]) AS i (id, segment, label, value, time_ms)
      ON CONFLICT (prediction_id) DO NOTHING
      RETURNING prediction_id`,
    labels: `SELECT ${LABEL_READ} FROM ${s}.segment_feedback WHERE prediction_id = ANY($1::uuid[])`,
    pruneOlder: deleted(`SELECT seq FROM ${segments} WHERE max_time < $1 ORDER BY max_time LIMIT $2`),
    pruneBelow: deleted(`SELECT seq FROM ${segments} WHERE (max_time, seq) < ($1, $2) ORDER BY max_time, seq LIMIT $3`),
    newest: `SELECT seq::float8 AS seq, max_time::float8 AS max_time, count FROM ${segments} p
      WHERE (max_time, seq) < ($1, $2) ORDER BY p.max_time DESC, p.seq DESC LIMIT $3`,
    lockSegment: `SELECT body FROM ${segments} WHERE seq = $1 FOR UPDATE`,
    rewrite: `UPDATE ${segments} SET min_time = $2, max_time = $3, min_id = $4, max_id = $5, count = $6, body = $7 WHERE seq = $1`,
    dropLabels: `DELETE FROM ${s}.segment_feedback WHERE segment = $1 AND prediction_id = ANY($2::uuid[])`,
    putDocuments: `INSERT INTO ${s}.documents (kind, key, body, time)
      SELECT kind, key, body, to_timestamp(time_ms / 1000) FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::float8[]) AS d (kind, key, body, time_ms)
      ON CONFLICT (kind, key) DO UPDATE SET body = EXCLUDED.body, time = EXCLUDED.time`,
    selectDocuments: `SELECT kind, key, body, (extract(epoch FROM time) * 1000)::float8 AS time_ms FROM ${s}.documents`,
    getDocument: `SELECT kind, key, body, (extract(epoch FROM time) * 1000)::float8 AS time_ms FROM ${s}.documents WHERE kind = $1 AND key = $2`,
    pruneDocuments: `DELETE FROM ${s}.documents WHERE (kind, key) IN (SELECT kind, key FROM ${s}.documents WHERE time < to_timestamp($1::float8 / 1000) LIMIT $2)`,
    // The database's clock on both sides of the comparison; RETURNING says whether this owner now holds the row.
    acquireLease: `INSERT INTO ${s}.leases AS l (name, owner, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::float8 / 1000))
      ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
      WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now()
      RETURNING l.owner`,
    releaseLease: `DELETE FROM ${s}.leases WHERE name = $1 AND owner = $2`,
  };
}
