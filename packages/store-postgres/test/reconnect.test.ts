import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip, sql } from '../test-support/postgres.js';
import { purchaseRecord } from '../test-support/records.js';

/** Polls `done` until it holds; generous, the box may be busy. */
async function until(done: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('connections that die under load', { skip }, () => {
  const schema = freshSchema();
  let store: PostgresStore;
  const idleErrors: Error[] = [];

  before(async () => {
    store = await PostgresStore.open({ connectionString: DATABASE_URL, schema, maxConnections: 4, onConnectionError: (e) => idleErrors.push(e) });
  });
  after(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('backends terminated while appends run: the process lives on, later appends succeed, every acknowledged batch is stored', async (t) => {
    const acknowledged: string[] = [];
    let rejected = 0;
    let running = true;
    // Three writers, like a sink flushing batches while others queue: some batches are in flight, some connections idle.
    const writer = async (): Promise<void> => {
      while (running) {
        const batch = Array.from({ length: 20 }, () => purchaseRecord());
        try {
          await store.append(batch);
          acknowledged.push(...batch.map((r) => r.id));
        } catch {
          rejected++;
        }
      }
    };
    const writers = [writer(), writer(), writer()];
    let terminated = 0;
    try {
      await until(() => acknowledged.length >= 200, 'the first appends');
      for (let round = 0; round < 3; round++) {
        const rows = await sql<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [store.applicationName]);
        terminated += rows.filter((r) => r.ok).length;
        const mark = acknowledged.length;
        await until(() => acknowledged.length >= mark + 200, `appends to resume after termination round ${round + 1}`);
      }
    } finally {
      running = false;
      await Promise.all(writers);
    }
    t.diagnostic(`${terminated} backends terminated, ${rejected} batches rejected in flight, ${idleErrors.length} idle connections lost, ${acknowledged.length} predictions acknowledged`);
    assert.ok(terminated >= 3, `terminated ${terminated} backends`);
    const after = purchaseRecord();
    await store.append([after]);
    assert.equal((await store.get('purchase', after.id))?.id, after.id);
    // Read back through the store: a batch rejected in flight may have committed too, so every acknowledged id must be there, once.
    const stored = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await store.query({ model: 'purchase', limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
      for (const p of page.items) stored.set(p.id, (stored.get(p.id) ?? 0) + 1);
      cursor = page.cursor;
    } while (cursor !== undefined);
    const missing = acknowledged.filter((id) => stored.get(id) !== 1);
    assert.deepEqual(missing, [], `${acknowledged.length} acknowledged, ${rejected} batches rejected, ${idleErrors.length} idle connection errors`);
  });
});
