// What the PostgreSQL tests share: the database they use, whether it answers,
// and throwaway schemas. Not a test file itself.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactConnectionString } from '../src/redact.js';

/** The test database: a local server with trust auth unless PONTE_TEST_DATABASE_URL says otherwise. */
export const DATABASE_URL = process.env['PONTE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the PostgreSQL tests are skipped (the database does not answer), or false when they run. */
export const skip: string | false = await probe();

async function probe(): Promise<string | false> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return false;
  } catch (e) {
    const reason = e instanceof Error && e.message !== '' ? e.message : String((e as { code?: unknown }).code ?? e);
    return `PostgreSQL at ${redactConnectionString(DATABASE_URL)} does not answer (${reason}); set PONTE_TEST_DATABASE_URL to a database these tests may create schemas in`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test run uses. */
export function freshSchema(): string {
  return `ponte_test_${randomBytes(5).toString('hex')}`;
}

/** Runs one statement on a connection of its own (not the store's pool). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}
