import { existsSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Client } from 'pg';

/**
 * The bench's own view of a prediction store, from outside the server: how
 * many predictions it holds and how many bytes they take on disk. The drivers
 * are the workspace's (`better-sqlite3`, `pg`, installed for the store
 * packages), imported when first needed so that a run without the section
 * does not need them.
 */
export interface StoreReader {
  /** Predictions in `prediction_segments` (the sum of `count`; 0 while the table does not exist yet). */
  count(): Promise<number>;
  /** Bytes the log takes on disk (SQLite: the file and its -wal; PostgreSQL: prediction_segments and segment_feedback with their indexes and TOAST). */
  bytes(): Promise<number>;
  close(): Promise<void>;
}

/** The local PostgreSQL the section logs to (trust auth); `PONTE_BENCH_POSTGRES_URL` overrides it. */
export const POSTGRES_URL = process.env['PONTE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A SQLite log file. Each count opens the file read-only and closes it again:
 * a connection held open would keep the server's last close from
 * checkpointing and removing the -wal, and the size read after it stopped
 * would not be the file's own.
 */
export async function sqliteReader(file: string): Promise<StoreReader> {
  const Database = (await import('better-sqlite3')).default;
  return {
    async count() {
      if (!existsSync(file)) return 0;
      let db: BetterSqlite3.Database | undefined;
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prediction_segments'`).get();
        return has === undefined ? 0 : (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM prediction_segments').get() as { n: number }).n;
      } finally {
        db?.close();
      }
    },
    async bytes() {
      const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
      return size(file) + size(`${file}-wal`);
    },
    async close() { /* nothing held */ },
  };
}

/** A schema name PostgreSQL takes unquoted: `ponte_bench_` and 8 random hex digits. */
export function benchSchema(): string {
  return `ponte_bench_${Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0')}`;
}

/**
 * A PostgreSQL log schema, read over one connection of the bench's own.
 * Rejects when the database cannot be reached (the section then skips the row
 * with the reason).
 */
export async function postgresReader(connectionString: string, schema: string): Promise<StoreReader & { dropSchema(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
  const pg = (await import('pg')).default;
  const client: Client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  client.on('error', () => { /* a dropped idle connection: the next query reports it */ });
  await client.connect();
  const exists = async (): Promise<boolean> =>
    (await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${schema}.prediction_segments`])).rows[0]?.t != null;
  return {
    async count() {
      if (!(await exists())) return 0;
      return Number((await client.query<{ n: string }>(`SELECT coalesce(sum(count), 0) AS n FROM ${schema}.prediction_segments`)).rows[0]!.n);
    },
    async bytes() {
      if (!(await exists())) return 0;
      const r = await client.query<{ b: string }>(`SELECT pg_total_relation_size('${schema}.prediction_segments') + coalesce(pg_total_relation_size(to_regclass('${schema}.segment_feedback')), 0) AS b`);
      return Number(r.rows[0]!.b);
    },
    async dropSchema() {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
    async close() {
      await client.end();
    },
  };
}
