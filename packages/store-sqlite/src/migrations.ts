import type { Database } from 'better-sqlite3';
import { segmentIds, toSegments } from '@ponte/core';
import { fromRow, SELECT_WITH_FEEDBACK, type PredictionRow } from './legacy-rows.js';

/** One step of the schema: applied once, in order, never edited after it shipped (add a new one instead). */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /** A step SQL alone cannot do (re-encoding rows), run after `sql` in the same transaction. */
  readonly run?: (db: Database) => void;
}

/**
 * Every schema version of the prediction log, oldest first. A file records
 * the versions it has in `schema_version`; `migrate` applies the rest.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'predictions and feedback tables, the (model, time, id) index',
    // JSON columns are declared TEXT, not JSON: an undeclared type name gets NUMERIC affinity, which
    // would turn a label stored as the JSON text `1.0` into the number 1.
    sql: `
      CREATE TABLE predictions (
        id         TEXT PRIMARY KEY NOT NULL,  -- UUIDv7: sorts by time, unique across processes
        time       INTEGER NOT NULL,           -- arrival, epoch ms
        model      TEXT NOT NULL,
        version    TEXT NOT NULL,
        request_id TEXT NOT NULL,
        trace_id   TEXT,
        principal  TEXT NOT NULL,
        protocol   TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        features   TEXT,                       -- JSON: rows of named features, or NULL
        inputs     TEXT,                       -- JSON: input tensors, or NULL
        outputs    TEXT NOT NULL,              -- JSON: output tensors
        latency_ms REAL NOT NULL
      );
      CREATE INDEX predictions_model_time ON predictions (model, time, id);
      CREATE TABLE feedback (
        prediction_id TEXT PRIMARY KEY NOT NULL REFERENCES predictions (id) ON DELETE CASCADE,
        model         TEXT NOT NULL,
        label         TEXT,                    -- JSON: keeps 'yes', 1 and true apart
        value         REAL,
        time          INTEGER NOT NULL         -- when the truth became known, epoch ms
      );
    `,
  },
  {
    version: 2,
    description: 'the (time, id) index, so pruning by age or row count walks an index instead of the table',
    // Without it, a prune that finds nothing to delete scans every row, on the event loop, every interval.
    sql: 'CREATE INDEX predictions_time ON predictions (time, id);',
  },
  {
    version: 3,
    description: 'the (model, version, time, id) index, so a read of one version touches only its rows',
    // Without it, asking for a version that is rare (or absent) scans the model's whole history with
    // the event loop held: 75 ms for 300,000 rows on the build VM, a quarter second per million.
    sql: 'CREATE INDEX predictions_model_version_time ON predictions (model, version, time, id);',
  },
  {
    version: 4,
    description: 'documents (small JSON beside the log: monitoring state, alert history) and leases (one replica per job)',
    // Keys compare with BINARY (UTF-8 byte order), the order PostgreSQL's store gets with COLLATE "C".
    sql: `
      CREATE TABLE documents (
        kind TEXT NOT NULL,
        key  TEXT NOT NULL,
        body TEXT NOT NULL,                    -- JSON
        time INTEGER NOT NULL,                 -- set by the writer, epoch ms; retention prunes by it
        PRIMARY KEY (kind, key)
      );
      CREATE INDEX documents_time ON documents (time);
      CREATE TABLE leases (
        name       TEXT PRIMARY KEY NOT NULL,
        owner      TEXT NOT NULL,
        expires_at INTEGER NOT NULL            -- epoch ms, this host's clock
      );
    `,
  },
  {
    version: 5,
    description: 'predictions in segments (one row per appended batch, records encoded by @ponte/core), labels pointing at their segment',
    // One row and four index entries per prediction cost a one-core server half its throughput
    // (docs/benchmarks.md); one row per batch of up to 1,024 costs a few per cent.
    sql: `
      CREATE TABLE prediction_segments (
        seq      INTEGER PRIMARY KEY,          -- append order
        model    TEXT NOT NULL,
        version  TEXT NOT NULL,
        min_time INTEGER NOT NULL,             -- oldest and newest record, epoch ms (within 60 s of each other)
        max_time INTEGER NOT NULL,
        min_id   TEXT NOT NULL,                -- lowest and highest prediction id (UUIDv7, lower case)
        max_id   TEXT NOT NULL,
        count    INTEGER NOT NULL,
        body     BLOB NOT NULL                 -- the records, encoded (PSG1; docs/persistence.md)
      );
      CREATE INDEX segments_model_time ON prediction_segments (model, min_time);
      CREATE INDEX segments_model_version_time ON prediction_segments (model, version, min_time);
      CREATE INDEX segments_model_id ON prediction_segments (model, max_id);
      CREATE INDEX segments_time ON prediction_segments (max_time);
      CREATE TABLE segment_feedback (
        prediction_id TEXT PRIMARY KEY NOT NULL,
        segment       INTEGER NOT NULL REFERENCES prediction_segments (seq) ON DELETE CASCADE,
        model         TEXT NOT NULL,
        label         TEXT,                    -- JSON: keeps 'yes', 1 and true apart
        value         REAL,
        time          INTEGER NOT NULL         -- when the truth became known, epoch ms
      );
      CREATE INDEX feedback_segment ON segment_feedback (segment);
    `,
    run: toSegmentTables,
  },
];

/** Migration 5's data step: every stored prediction re-encoded into segments, every label moved beside its segment. */
function toSegmentTables(db: Database): void {
  const read = db.prepare<[number], PredictionRow & { rowid: number }>(`${SELECT_WITH_FEEDBACK.replace('SELECT p.*', 'SELECT p.rowid AS rowid, p.*')} WHERE p.rowid > ? ORDER BY p.rowid LIMIT 2048`);
  const insert = db.prepare('INSERT INTO prediction_segments (model, version, min_time, max_time, min_id, max_id, count, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const label = db.prepare('INSERT INTO segment_feedback (prediction_id, segment, model, label, value, time) VALUES (?, ?, ?, ?, ?, ?)');
  for (let after = 0; ;) {
    const rows = read.all(after);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.rowid;
    const records = rows.map(fromRow);
    const labels = new Map(records.filter((r) => r.feedback !== undefined).map((r) => [r.id, r.feedback!]));
    for (const s of toSegments(records.map(({ feedback: _f, ...r }) => r))) {
      const seq = Number(insert.run(s.model, s.version, s.minTime, s.maxTime, s.minId, s.maxId, s.count, s.bytes).lastInsertRowid);
      for (const id of segmentIds(s.bytes)) {
        const f = labels.get(id);
        if (f !== undefined) label.run(id, seq, s.model, f.label === undefined ? null : JSON.stringify(f.label), f.value ?? null, f.time ?? Date.now());
      }
    }
  }
  db.exec('DROP TABLE feedback; DROP TABLE predictions; ALTER TABLE segment_feedback RENAME TO feedback;');
}

/** The schema version this package writes. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** What `migrate` did: the version found, the version left, and the versions it applied. */
export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

/**
 * The file's schema version: the highest row of `schema_version`, 0 for a new
 * file.
 *
 * @example
 * ```ts
 * schemaVersion(new Database('ponte.db')); // 2
 * ```
 */
export function schemaVersion(db: Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (table === undefined) return 0;
  return (db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
}

/**
 * Brings a database up to the newest of `migrations`: applies the missing
 * ones in order in one transaction, so a failure leaves the file as it was.
 * Idempotent: a file already up to date is only read. A file written by a
 * newer version of this package is refused rather than half understood.
 *
 * @example
 * ```ts
 * migrate(db); // { from: 0, to: 2, applied: [1, 2] } on a new file; { from: 2, to: 2, applied: [] } after
 * ```
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  // Read first without a write lock: the common case (already migrated) must not queue behind writers.
  const seen = schemaVersion(db);
  refuseNewer(db, seen, latest);
  if (seen === latest) return { from: seen, to: seen, applied: [] };
  // IMMEDIATE takes the write lock at BEGIN (waiting on the busy timeout), so two processes opening a
  // new file at once migrate it once: the second finds the work done when it gets the lock.
  return db.transaction((): MigrationResult => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL, description TEXT NOT NULL)');
    const from = schemaVersion(db);
    refuseNewer(db, from, latest);
    const record = db.prepare('INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      m.run?.(db);
      record.run(m.version, Date.now(), m.description);
      applied.push(m.version);
    }
    return { from, to: latest, applied };
  }).immediate();
}

function refuseNewer(db: Database, found: number, latest: number): void {
  if (found > latest) {
    throw new Error(`${db.name}: schema version ${found} is newer than this @ponte/store-sqlite knows (${latest}); upgrade the package or use another file`);
  }
}
