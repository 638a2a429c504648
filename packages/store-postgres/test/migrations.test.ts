import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { uuidV7, type StoredPrediction } from '@ponte/core';
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

// The row-per-prediction tables (versions 1–3) stay beside the segments: a replica of the previous release may still write there.
const TABLES = ['documents', 'feedback', 'leases', 'prediction_segments', 'predictions', 'schema_version', 'segment_feedback'];
const INDEXES = [
  'documents_pkey', 'documents_time', 'feedback_pkey', 'leases_pkey', 'prediction_segments_pkey', 'predictions_model_time_id', 'predictions_pkey',
  'predictions_time_id', 'schema_version_pkey', 'segment_feedback_pkey', 'segment_feedback_segment', 'segments_model_id', 'segments_model_time',
  'segments_model_version_time', 'segments_time',
];

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
      assert.deepEqual(tables.map((t) => t.tablename), TABLES);
      assert.deepEqual(await indexes(schema), INDEXES);
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
      assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
    } finally {
      await store.close();
    }
  });

  it('a schema left at version 3 (a row per prediction) is re-encoded into segments: every record, field and label kept, the old tables left in place', async () => {
    const schema = schemaForTest();
    const s = pg.escapeIdentifier(schema);
    const t0 = Date.UTC(2026, 2, 1);
    const records: StoredPrediction[] = Array.from({ length: 2500 }, (_, i) => ({
      // One record a fraction of a millisecond off: times were timestamptz (microseconds), segments bound them by whole milliseconds.
      id: uuidV7(t0 + i * 100), time: t0 + i * 100 + (i === 5 ? 0.5 : 0), model: i % 7 === 0 ? 'house' : 'purchase', version: i % 2 === 0 ? '1' : '2', requestId: `req-${i}`,
      ...(i % 3 === 0 ? { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } : {}), principal: i % 5 === 0 ? 'svc ☃' : 'anonymous', protocol: 'rest', endpoint: 'infer',
      ...(i % 11 === 0 ? { inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [1, 2], data: [i, 0.1] }] } : { features: [{ age: 20 + (i % 50), income: 52.7, plan: i % 4 === 0 ? 'gold' : 'basic', note: null }] }),
      outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [i % 2] }, { name: 'p', datatype: 'FP64', shape: [1, 2], data: [0.25, 0.75] }], latencyMs: 1.234,
    }));
    const labelOf = (i: number): { label?: string | number | boolean; value?: number } | undefined =>
      i % 10 === 1 ? { label: 'yes' } : i % 10 === 2 ? { label: 0 } : i % 10 === 3 ? { label: true, value: 0.5 } : i % 10 === 4 ? { value: 412.5 } : undefined;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      assert.deepEqual(await migrate(pool, schema, { to: 3 }), { from: 0, to: 3, applied: [1, 2, 3] });
      // Rows and labels as the version-3 code wrote them: the batch as one JSON recordset, labels through unnest.
      for (let i = 0; i < records.length; i += 256) {
        await pool.query(`INSERT INTO ${s}.predictions (id, time, model, version, request_id, trace_id, principal, protocol, endpoint, features, inputs, outputs, latency_ms)
          SELECT id, to_timestamp(time_ms / 1000), model, version, request_id, trace_id, principal, protocol, endpoint, features, inputs, outputs, latency_ms
          FROM jsonb_to_recordset($1::jsonb) AS r (id uuid, time_ms float8, model text, version text, request_id text, trace_id text,
            principal text, protocol text, endpoint text, features jsonb, inputs jsonb, outputs jsonb, latency_ms float8)`,
        [JSON.stringify(records.slice(i, i + 256).map((r) => ({
          id: r.id, time_ms: r.time, model: r.model, version: r.version, request_id: r.requestId, trace_id: r.traceId, principal: r.principal,
          protocol: r.protocol, endpoint: r.endpoint, features: r.features, inputs: r.inputs, outputs: r.outputs, latency_ms: r.latencyMs,
        })))]);
      }
      const labelled = records.flatMap((r, i) => (labelOf(i) === undefined ? [] : [{ r, f: labelOf(i)! }]));
      await pool.query(`INSERT INTO ${s}.feedback (prediction_id, model, label, value, time)
        SELECT id, model, label, value, to_timestamp(time_ms / 1000) FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::float8[], $5::float8[]) AS i (id, model, label, value, time_ms)`,
      [labelled.map((l) => l.r.id), labelled.map((l) => l.r.model), labelled.map((l) => (l.f.label === undefined ? null : JSON.stringify(l.f.label))), labelled.map((l) => l.f.value ?? null), labelled.map(() => t0 + 5)]);
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      assert.deepEqual(store.migration, { from: 3, to: LATEST_VERSION, applied: MIGRATIONS.filter((m) => m.version > 3).map((m) => m.version) });
      for (const model of ['purchase', 'house']) {
        const mine = records.filter((r) => r.model === model).sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
        const read: Array<StoredPrediction & { feedback?: unknown }> = [];
        let cursor: string | undefined;
        do {
          const page = await store.query({ model, limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
          read.push(...page.items);
          cursor = page.cursor;
        } while (cursor !== undefined);
        assert.equal(read.length, mine.length);
        for (const [k, r] of mine.entries()) {
          const { feedback, ...back } = read[k]!;
          assert.deepEqual(back, r);
          const f = labelOf(records.indexOf(r));
          assert.deepEqual(feedback, f === undefined ? undefined : { id: r.id, ...f, time: t0 + 5 });
        }
      }
      assert.deepEqual(await store.get('purchase', records[1]!.id), { ...records[1]!, feedback: { id: records[1]!.id, label: 'yes', time: t0 + 5 } });
      assert.deepEqual(await store.get('purchase', records[5]!.id), records[5]);
      assert.deepEqual((await store.get('purchase', records[4]!.id))?.feedback, { id: records[4]!.id, value: 412.5, time: t0 + 5 });
      assert.equal(await store.get('house', records[1]!.id), undefined);
      assert.deepEqual(await store.appendFeedback('purchase', [{ id: records[1]!.id, label: 'no' }]), [{ id: records[1]!.id, status: 'duplicate' }]);
      assert.deepEqual(await store.appendFeedback('purchase', [{ id: records[9]!.id, label: 'no' }]), [{ id: records[9]!.id, status: 'stored' }]);
      const [counts] = await sql<{ segments: number; predictions: number; labels: number; old: number }>(`SELECT
        (SELECT count(*)::integer FROM ${s}.prediction_segments) AS segments, (SELECT sum(count)::integer FROM ${s}.prediction_segments) AS predictions,
        (SELECT count(*)::integer FROM ${s}.segment_feedback) AS labels, (SELECT count(*)::integer FROM ${s}.predictions) AS old`);
      assert.equal(counts!.predictions, records.length);
      // 100 ms apart, four model versions: a segment holds each version's records of up to SEGMENT_SPAN_MS (5 s), about a dozen.
      assert.ok(counts!.segments < records.length / 10, `${counts!.segments} segments`);
      assert.equal(counts!.labels, records.filter((_, i) => labelOf(i) !== undefined).length + 1);
      // Steps only add: the old table is still there, as it was, for replicas of the previous release.
      assert.equal(counts!.old, records.length);
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
