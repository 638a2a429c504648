import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` on one client of the pool (a transaction, a session-level lock)
 * and gives the client back. While a client is checked out the pool does not
 * listen to it, and a pg client whose backend dies emits 'error': with no
 * listener that would crash the process, so one is attached for the duration.
 * A client that failed in any way is destroyed rather than reused, since it may
 * be in an aborted transaction or hold a lock.
 *
 * @example
 * ```ts
 * const n = await withClient(pool, async (c) => (await c.query('SELECT 1 AS n')).rows[0].n);
 * ```
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (e: Error): void => {
    failure ??= e;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.removeListener('error', onError);
    client.release(failure);
  }
}
