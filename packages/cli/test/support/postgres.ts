import pg from 'pg';

/** The local PostgreSQL the tests use (`PONTE_TEST_POSTGRES` overrides it); each test works in a schema of its own. */
export const POSTGRES_URL = process.env['PONTE_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers at `url`: the tests that need it say they are skipped and why when it does not. */
export async function postgresReachable(url = POSTGRES_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
