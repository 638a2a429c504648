import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { segmentIds, toSegments } from '@ponte/core';
import { LEGACY_COLUMNS, legacyPrediction, type LegacyRow } from './legacy-rows.js';
import { SEGMENT_COLUMNS, segmentValues } from './segment-rows.js';
import { withClient } from './with-client.js';

/**
 * One step of the schema, run once per schema, in order, inside the migration transaction.
 *
 * @example
 * ```ts
 * const step: Migration = { version: 3, description: 'trace id index', statements: (s) => [`CREATE INDEX predictions_trace_id ON ${s}.predictions (trace_id)`] };
 * ```
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  /** The statements, given the schema's quoted name. */
  statements(schema: string): string[];
  /** A step SQL alone cannot do (re-encoding rows), run after the statements on the migration's client, in its transaction. */
  run?(client: PoolClient, schema: string): Promise<void>;
}

/**
 * The prediction log's schema, step by step. Never edit a released step:
 * add one. Steps only add (tables, columns, indexes), so a server of the
 * previous release keeps working on a schema a newer one migrated during a
 * rolling upgrade.
 *
 * @example
 * ```ts
 * MIGRATIONS.map((m) => `${m.version}: ${m.description}`);
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'predictions and feedback tables; (time, id) index for retention',
    statements: (s) => [
      `CREATE TABLE ${s}.predictions (
        id uuid PRIMARY KEY,
        time timestamptz NOT NULL,
        model text NOT NULL,
        version text NOT NULL,
        request_id text NOT NULL,
        trace_id text,
        principal text NOT NULL,
        protocol text NOT NULL,
        endpoint text NOT NULL,
        features jsonb,
        inputs jsonb,
        outputs jsonb NOT NULL,
        latency_ms double precision NOT NULL
      )`,
      // Retention deletes the oldest first, across models: by age (time <) and by count (ORDER BY time, id).
      `CREATE INDEX predictions_time_id ON ${s}.predictions (time, id)`,
      `CREATE TABLE ${s}.feedback (
        prediction_id uuid PRIMARY KEY REFERENCES ${s}.predictions (id) ON DELETE CASCADE,
        model text NOT NULL,
        label jsonb,
        value double precision,
        time timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: '(model, time, id) index: one model\'s log, oldest first, page by page',
    statements: (s) => [`CREATE INDEX predictions_model_time_id ON ${s}.predictions (model, time, id)`],
  },
  {
    version: 3,
    description: 'documents (small JSON beside the log: monitoring state, alert history) and leases (one replica per job)',
    statements: (s) => [
      // COLLATE "C": keys list in byte order whatever the database's locale, as SQLite's store lists them.
      `CREATE TABLE ${s}.documents (
        kind text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        body jsonb NOT NULL,
        time timestamptz NOT NULL,
        PRIMARY KEY (kind, key)
      )`,
      `CREATE INDEX documents_time ON ${s}.documents (time)`,
      `CREATE TABLE ${s}.leases (
        name text PRIMARY KEY,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    description: 'predictions in segments (one row per appended batch, records encoded by @ponte/core), labels pointing at their segment',
    // A row and three index entries per prediction made the database the log's bottleneck (about 20,000 records/s
    // from one writer); a row per batch of up to 1,024 appends several times as many. `predictions` and `feedback`
    // stay, as steps only add: a replica of the previous release keeps writing there during a rolling upgrade, and
    // this version never reads them. They can be dropped once every replica runs this version (docs/persistence.md).
    statements: (s) => [
      `CREATE TABLE ${s}.prediction_segments (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        model text NOT NULL,
        version text NOT NULL,
        min_time bigint NOT NULL,
        max_time bigint NOT NULL,
        min_id uuid NOT NULL,
        max_id uuid NOT NULL,
        count integer NOT NULL,
        body bytea NOT NULL
      )`,
      `CREATE INDEX segments_model_time ON ${s}.prediction_segments (model, min_time)`,
      `CREATE INDEX segments_model_version_time ON ${s}.prediction_segments (model, version, min_time)`,
      // Finds an id's segments by (model, max_id); unique over the whole key, so a batch appended again (a retry,
      // even one racing the first from another replica) is stored once: same model version, id range and count.
      `CREATE UNIQUE INDEX segments_model_id ON ${s}.prediction_segments (model, max_id, min_id, version, count)`,
      `CREATE INDEX segments_time ON ${s}.prediction_segments (max_time)`,
      `CREATE TABLE ${s}.segment_feedback (
        prediction_id uuid PRIMARY KEY,
        segment bigint NOT NULL REFERENCES ${s}.prediction_segments (seq) ON DELETE CASCADE,
        model text NOT NULL,
        label jsonb,
        value double precision,
        time timestamptz NOT NULL
      )`,
      `CREATE INDEX segment_feedback_segment ON ${s}.segment_feedback (segment)`,
    ],
    run: toSegmentTables,
  },
];

/** Rows migration 4 re-encodes at a time: enough for full segments, few enough to hold as records. */
const MIGRATION_CHUNK = 2048;

/**
 * Migration 4's data step: every stored prediction re-encoded into segments
 * (read in id order, so by time for UUIDv7 ids), every label copied beside
 * its segment by SQL, so its jsonb and timestamptz come over exactly.
 */
async function toSegmentTables(client: PoolClient, s: string): Promise<void> {
  // Segment bodies are tens of kilobytes: PostgreSQL compresses them as it stores them (TOAST), and its default
  // (pglz) costs the database several times the CPU of lz4, on a machine that is often the server's own. lz4 where
  // this PostgreSQL has it (14+, built with it); the default otherwise.
  const lz4 = await client.query<{ ok: boolean }>(`SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`);
  if (lz4.rows[0]?.ok === true) await client.query(`ALTER TABLE ${s}.prediction_segments ALTER COLUMN body SET COMPRESSION lz4`);
  let after: string | undefined;
  for (;;) {
    const { rows } = await client.query<LegacyRow>(
      `SELECT ${LEGACY_COLUMNS} FROM ${s}.predictions p LEFT JOIN ${s}.feedback f ON f.prediction_id = p.id
      ${after === undefined ? '' : 'WHERE p.id > $2'} ORDER BY p.id LIMIT $1`,
      after === undefined ? [MIGRATION_CHUNK] : [MIGRATION_CHUNK, after],
    );
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    const segments = toSegments(rows.map(legacyPrediction));
    const { values, params } = segmentValues(segments);
    // Each id is in one segment here (ids were the old table's key), so a segment's lowest id names it.
    const inserted = await client.query<{ seq: string; min_id: string }>(`INSERT INTO ${s}.prediction_segments (${SEGMENT_COLUMNS}) VALUES ${values} RETURNING seq, min_id`, params);
    const seqOf = new Map(inserted.rows.map((r) => [r.min_id, r.seq]));
    const labelled = new Set(rows.filter((r) => r.labelled).map((r) => r.id));
    if (labelled.size === 0) continue;
    const ids: string[] = [];
    const seqs: string[] = [];
    for (const seg of segments) {
      for (const id of segmentIds(seg.bytes)) {
        if (!labelled.has(id)) continue;
        ids.push(id);
        seqs.push(seqOf.get(seg.minId)!);
      }
    }
    await client.query(`INSERT INTO ${s}.segment_feedback (prediction_id, segment, model, label, value, time)
      SELECT f.prediction_id, i.segment, f.model, f.label, f.value, f.time
      FROM unnest($1::uuid[], $2::bigint[]) AS i (id, segment) JOIN ${s}.feedback f ON f.prediction_id = i.id`, [ids, seqs]);
  }
}

/** The version a schema has once `migrate` ran (`SELECT max(version) FROM ponte.schema_version` says where a database is). */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * What `migrate` found and did; `PostgresStore.migration` keeps it.
 *
 * @example
 * ```ts
 * if (store.migration.applied.length > 0) log.info(store.migration, 'prediction log schema migrated');
 * ```
 */
export interface MigrationResult {
  /** The schema's version before (0: no schema or no tables). */
  readonly from: number;
  /** Its version after. */
  readonly to: number;
  /** The versions this call applied; empty when another server had done it, or nothing was due. */
  readonly applied: readonly number[];
}

/**
 * Brings `schema` to `to` (default the latest): creates the schema and its
 * `schema_version` table when missing, then runs the pending migrations in
 * order, all in one transaction holding a transaction-level advisory lock
 * keyed on the schema's name. Two servers starting together therefore
 * migrate once: the second waits for the first to commit, then finds nothing
 * to do. A failed step rolls everything back. Running it again does nothing.
 *
 * @example
 * ```ts
 * const { from, to } = await migrate(pool, 'ponte'); // { from: 0, to: 4, applied: [1, 2, 3, 4] }
 * ```
 */
export async function migrate(pool: Pool, schema: string, options: { to?: number } = {}): Promise<MigrationResult> {
  const target = options.to ?? LATEST_VERSION;
  const s = escapeIdentifier(schema);
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ponte.store-postgres.migrate:${schema}`]);
      await ensureSchema(client, schema);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const from = Number((await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${s}.schema_version`)).rows[0]!.v);
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (m.version <= from || m.version > target) continue;
        for (const statement of m.statements(s)) await client.query(statement);
        await m.run?.(client, s);
        await client.query(`INSERT INTO ${s}.schema_version (version, description) VALUES ($1, $2)`, [m.version, m.description]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      return { from, to: Math.max(from, applied.at(-1) ?? from), applied };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

/**
 * Creates the schema unless it exists. Checked first because `CREATE SCHEMA
 * IF NOT EXISTS` still needs the CREATE privilege on the database, which a
 * least-privilege role given a schema made by its DBA does not have.
 */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
}
