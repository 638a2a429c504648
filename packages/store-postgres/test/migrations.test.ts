import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { uuidV7 } from '@ponte/core';
import { LATEST_VERSION, migrate, MIGRATIONS, PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip, sql } from '../test-support/postgres.js';

const schemas: string[] = [];
function schemaForTest(): string {
  const s = freshSchema();
  schemas.push(s);
  return s;
}

async function versions(schema: string): Promise<number[]> {
  return (await sql<{ version: number }>(`SELECT version FROM ${pg.escapeIdentifier(schema)}.schema_version ORDER BY version`)).map((r) => r.version);
}

async function indexes(schema: string): Promise<string[]> {
  return (await sql<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema])).map((r) => r.indexname);
}

describe('schema migrations', { skip }, () => {
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('a server starting on an empty database creates the schema, its tables and indexes, and records every migration', async () => {
    const schema = schemaForTest();
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      assert.deepEqual(store.migration, { from: 0, to: LATEST_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
      const tables = await sql<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema]);
      assert.deepEqual(tables.map((t) => t.tablename), ['documents', 'feedback', 'leases', 'predictions', 'schema_version']);
      assert.deepEqual(await indexes(schema), ['documents_pkey', 'documents_time', 'feedback_pkey', 'leases_pkey', 'predictions_model_time_id', 'predictions_pkey', 'predictions_time_id', 'schema_version_pkey']);
    } finally {
      await store.close();
    }
  });

  it('a schema left at version 1 by an older release is brought to the latest, its predictions kept', async () => {
    const schema = schemaForTest();
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    const id = uuidV7();
    try {
      assert.deepEqual(await migrate(pool, schema, { to: 1 }), { from: 0, to: 1, applied: [1] });
      assert.ok(!(await indexes(schema)).includes('predictions_model_time_id'));
      await pool.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.predictions (id, time, model, version, request_id, principal, protocol, endpoint, outputs, latency_ms)
        VALUES ($1, now(), 'purchase', '1', 'req-1', 'anonymous', 'rest', 'infer', '[]', 1.5)`, [id]);
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      assert.deepEqual(store.migration, { from: 1, to: LATEST_VERSION, applied: MIGRATIONS.slice(1).map((m) => m.version) });
      assert.ok((await indexes(schema)).includes('predictions_model_time_id'));
      assert.equal((await store.get('purchase', id))?.requestId, 'req-1');
    } finally {
      await store.close();
    }
  });

  it('a schema left at version 2 (before documents and leases) gets both tables, its log kept, and they work at once', async () => {
    const schema = schemaForTest();
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    const id = uuidV7();
    try {
      assert.deepEqual(await migrate(pool, schema, { to: 2 }), { from: 0, to: 2, applied: [1, 2] });
      await pool.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.predictions (id, time, model, version, request_id, principal, protocol, endpoint, outputs, latency_ms)
        VALUES ($1, now(), 'purchase', '1', 'req-2', 'anonymous', 'rest', 'infer', '[]', 1.5)`, [id]);
      assert.deepEqual(await sql('SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename IN ($2, $3)', [schema, 'documents', 'leases']), []);
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      assert.deepEqual(store.migration, { from: 2, to: LATEST_VERSION, applied: MIGRATIONS.filter((m) => m.version > 2).map((m) => m.version) });
      assert.equal((await store.get('purchase', id))?.requestId, 'req-2');
      await store.putDocuments([{ kind: 'cursor', key: 'purchase', body: { upTo: 1 }, time: 1 }]);
      assert.deepEqual((await store.getDocument('cursor', 'purchase'))?.body, { upTo: 1 });
      assert.equal(await store.acquireLease('job', 'me', 1000), true);
      assert.deepEqual(await versions(schema), [1, 2, 3]);
    } finally {
      await store.close();
    }
  });

  it('reopening a migrated schema changes nothing', async () => {
    const schema = schemaForTest();
    await (await PostgresStore.open({ connectionString: DATABASE_URL, schema })).close();
    const before = await sql(`SELECT version, applied_at FROM ${pg.escapeIdentifier(schema)}.schema_version ORDER BY version`);
    const again = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    await again.close();
    assert.deepEqual(again.migration, { from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
    assert.deepEqual(await sql(`SELECT version, applied_at FROM ${pg.escapeIdentifier(schema)}.schema_version ORDER BY version`), before);
  });

  it('two servers starting together on one empty schema both start, and the schema is migrated once', async () => {
    const schema = schemaForTest();
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ connectionString: DATABASE_URL, schema })));
    try {
      const applied = stores.map((s) => s.migration.applied).sort((a, b) => b.length - a.length);
      assert.deepEqual(applied, [MIGRATIONS.map((m) => m.version), [], []]);
      assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a schema name that needs quoting works like any other', async () => {
    const schema = `${schemaForTest()} "Mixed"; Case`;
    schemas.push(schema);
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
      const r = { id: uuidV7(), time: Date.now(), model: 'm', version: '1', requestId: 'r', principal: 'anonymous', protocol: 'rest', endpoint: 'infer', outputs: [], latencyMs: 1 };
      await store.append([r]);
      assert.deepEqual(await store.get('m', r.id), r);
    } finally {
      await store.close();
    }
  });
});
