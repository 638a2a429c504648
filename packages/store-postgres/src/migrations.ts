import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
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
];

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
 * const { from, to } = await migrate(pool, 'ponte'); // { from: 0, to: 2, applied: [1, 2] }
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
