import { escapeIdentifier, Pool } from 'pg';
import { checkLease, documentPageLimit, documentRow, nameProblem } from '@ponte/core';
import type { DocumentQuery, FeedbackItem, FeedbackResult, PredictionPage, PredictionQuery, PredictionStore, RetentionPolicy, StoredDocument, StoredPrediction } from '@ponte/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { documentFromRow, type DocumentRow } from './documents.js';
import { isUuid } from './is-uuid.js';
import { migrate, type MigrationResult } from './migrations.js';
import { predictionBatchJson, predictionFromRow, SELECT_COLUMNS, type LoggedPrediction, type PredictionRow } from './prediction-rows.js';
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

/** Retention deletes this many predictions per statement: each delete is short, so appends never wait long on it. */
const PRUNE_BATCH = 1000;
/** A page holds at most this many predictions, whatever `limit` asks. */
const MAX_PAGE = 1000;
const DAY_MS = 86_400_000;

/**
 * The prediction log in PostgreSQL: a `pg` pool, tables in their own schema
 * (created and migrated by `open`), batches appended as one statement,
 * keyset pagination, retention in small deletes. Any number of servers may
 * share one schema: ids are UUIDv7 and writes are idempotent, so a retried
 * batch or a duplicate label is stored once.
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

  /** One statement per batch, so a batch is stored whole or not at all; ids already stored (a retried batch) are skipped. */
  async append(records: readonly StoredPrediction[]): Promise<void> {
    this.checkOpen();
    if (records.length === 0) return;
    await this.pool.query(this.sql.insert, [predictionBatchJson(records)]);
  }

  async appendFeedback(model: string, items: readonly FeedbackItem[]): Promise<FeedbackResult[]> {
    this.checkOpen();
    // Each id is sent once (its first item); a repeat within the call reports as a duplicate of it.
    const firsts = new Map<string, FeedbackItem>();
    for (const item of items) if (isUuid(item.id) && !firsts.has(item.id.toLowerCase())) firsts.set(item.id.toLowerCase(), item);
    const outcome = new Map<string, boolean>();
    if (firsts.size > 0) {
      const sent = [...firsts.values()];
      const now = Date.now();
      const params = [
        textValue(model),
        sent.map((i) => i.id),
        sent.map((i) => (i.label === undefined ? null : jsonbText(i.label))),
        sent.map((i) => i.value ?? null),
        sent.map((i) => i.time ?? now),
      ];
      // A prediction pruned between the statement's lookup and its insert fails the foreign key: once more, it is then unknown.
      for (let attempt = 1; ; attempt++) {
        try {
          const { rows } = await this.pool.query<{ id: string; stored: boolean }>(this.sql.feedback, params);
          for (const r of rows) outcome.set(r.id, r.stored);
          break;
        } catch (e) {
          if (attempt >= 2 || (e as { code?: unknown }).code !== '23503') throw e;
        }
      }
    }
    return items.map((item) => {
      const key = item.id.toLowerCase();
      const stored = isUuid(item.id) ? outcome.get(key) : undefined;
      if (stored === undefined) return { id: item.id, status: 'unknown_id' };
      return { id: item.id, status: stored && firsts.get(key) === item ? 'stored' : 'duplicate' };
    });
  }

  async get(model: string, id: string): Promise<LoggedPrediction | undefined> {
    this.checkOpen();
    if (!isUuid(id)) return undefined;
    const { rows } = await this.pool.query<PredictionRow>(this.sql.get, [id, textValue(model)]);
    return rows.length === 0 ? undefined : predictionFromRow(rows[0]!);
  }

  /** Oldest first by (time, id); `limit` is capped at 1000; the cursor is keyset, so a page deep in the log costs what the first does. */
  async query(query: PredictionQuery): Promise<PredictionPage> {
    this.checkOpen();
    const limit = Number.isFinite(query.limit) ? Math.min(Math.max(Math.floor(query.limit), 1), MAX_PAGE) : MAX_PAGE;
    const params: unknown[] = [textValue(query.model)];
    const where = ['p.model = $1'];
    if (query.version !== undefined) where.push(`p.version = $${params.push(textValue(query.version))}`);
    if (query.since !== undefined) where.push(`p.time >= to_timestamp($${params.push(query.since)}::float8 / 1000)`);
    if (query.until !== undefined) where.push(`p.time < to_timestamp($${params.push(query.until)}::float8 / 1000)`);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      where.push(`(p.time, p.id) > (to_timestamp($${params.push(after.time)}::float8 / 1000), $${params.push(after.id)}::uuid)`);
    }
    // One row more than the page: whether it exists says whether a cursor is due.
    const { rows } = await this.pool.query<PredictionRow>(`${this.sql.select} WHERE ${where.join(' AND ')} ORDER BY p.time, p.id LIMIT $${params.push(limit + 1)}`, params);
    const items = rows.slice(0, limit).map(predictionFromRow);
    const last = items.at(-1);
    return rows.length > limit && last !== undefined ? { items, cursor: encodeCursor({ time: last.time, id: last.id }) } : { items };
  }

  /**
   * Deletes predictions and documents older than `maxAgeDays`, then the oldest predictions beyond
   * `maxRows` (across models), 1000 per statement, their labels with them.
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
          for (;;) {
            const n = (await client.query(this.sql.pruneOlder, [cutoff, PRUNE_BATCH])).rowCount ?? 0;
            deleted += n;
            if (n < PRUNE_BATCH || this.closed) break;
          }
          // Documents by their writer's time; not counted in what prune returns (predictions).
          while (!this.closed) {
            const n = (await client.query(this.sql.pruneDocuments, [cutoff, PRUNE_BATCH])).rowCount ?? 0;
            if (n < PRUNE_BATCH) break;
          }
        }
        if (policy.maxRows !== undefined) {
          let excess = Number((await client.query<{ n: string }>(this.sql.count)).rows[0]!.n) - policy.maxRows;
          while (excess > 0 && !this.closed) {
            const n = (await client.query(this.sql.pruneOldest, [Math.min(excess, PRUNE_BATCH)])).rowCount ?? 0;
            if (n === 0) break;
            deleted += n;
            excess -= n;
          }
        }
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

  private checkOpen(): void {
    if (this.closed) throw new Error(`the PostgreSQL prediction store (schema "${this.schema}") is closed`);
  }
}

/** Every statement of a store, built once for its (quoted) schema. */
function statements(s: string) {
  const select = `SELECT ${SELECT_COLUMNS} FROM ${s}.predictions p LEFT JOIN ${s}.feedback f ON f.prediction_id = p.id`;
  return {
    select,
    insert: `INSERT INTO ${s}.predictions (id, time, model, version, request_id, trace_id, principal, protocol, endpoint, features, inputs, outputs, latency_ms)
      SELECT id, to_timestamp(time_ms / 1000), model, version, request_id, trace_id, principal, protocol, endpoint, features, inputs, outputs, latency_ms
      FROM jsonb_to_recordset($1::jsonb) AS r (id uuid, time_ms float8, model text, version text, request_id text, trace_id text,
        principal text, protocol text, endpoint text, features jsonb, inputs jsonb, outputs jsonb, latency_ms float8)
      ON CONFLICT (id) DO NOTHING`,
    // One round trip: which ids are this model's predictions (looked up by primary key), which of those got their label now (the rest had one).
    feedback: `WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::jsonb[], $4::float8[], $5::float8[]) AS i (id, label, value, time_ms)
      ), known AS (
        SELECT p.id FROM ${s}.predictions p WHERE p.id = ANY($2::uuid[]) AND p.model = $1
      ), stored AS (
        INSERT INTO ${s}.feedback (prediction_id, model, label, value, time)
        SELECT i.id, $1, i.label, i.value, to_timestamp(i.time_ms / 1000) FROM input i JOIN known k ON k.id = i.id
        ON CONFLICT (prediction_id) DO NOTHING
        RETURNING prediction_id
      )
      SELECT k.id, s.prediction_id IS NOT NULL AS stored FROM known k LEFT JOIN stored s ON s.prediction_id = k.id`,
    get: `${select} WHERE p.id = $1 AND p.model = $2`,
    count: `SELECT count(*) AS n FROM ${s}.predictions`,
    // `= ANY(ARRAY(…))`, not `IN (…)`: the ids become one array, found through the primary key. With `IN` the planner
    // may hash-join the subquery against a scan of the whole table, every 1000 rows (seen at 10,000 rows).
    pruneOlder: `DELETE FROM ${s}.predictions WHERE id = ANY(ARRAY(SELECT id FROM ${s}.predictions WHERE time < to_timestamp($1::float8 / 1000) ORDER BY time, id LIMIT $2))`,
    pruneOldest: `DELETE FROM ${s}.predictions WHERE id = ANY(ARRAY(SELECT id FROM ${s}.predictions ORDER BY time, id LIMIT $1))`,
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
